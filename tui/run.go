package tui

import (
	"context"
	"errors"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
)

// Run runs the TUI until the user quits (q / ctrl+c) or ctx is done; it
// restores the terminal either way. It draws on the alternate screen.
func Run(ctx context.Context, opt Options) error {
	popts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx)}
	if opt.Input != nil {
		popts = append(popts, tea.WithInput(opt.Input))
	}
	if opt.Output != nil {
		popts = append(popts, tea.WithOutput(opt.Output))
	}
	p := tea.NewProgram(NewModel(opt), popts...)
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // cancelled by the caller: a normal end
	}
	if err != nil {
		return fmt.Errorf("tui: %w", err)
	}
	return nil
}
