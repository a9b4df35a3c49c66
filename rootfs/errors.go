package rootfs

import "errors"

// InputError marks a problem with what was asked for (options, flavours,
// output directory), found before anything was created. Commands exit
// with status 2 on it.
type InputError struct{ Err error }

// Error says what is wrong with the input.
func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the problem.
func (e *InputError) Unwrap() error { return e.Err }

// IsInputError reports whether err is (or wraps) an *InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// InterruptedError says the build was cancelled (a signal, a deadline) and
// in which phase.
type InterruptedError struct {
	Phase string
	Err   error
}

// Error names the phase and why the build stopped.
func (e *InterruptedError) Error() string {
	return "build interrupted during phase " + e.Phase + ": " + e.Err.Error()
}

// Unwrap returns why the build stopped.
func (e *InterruptedError) Unwrap() error { return e.Err }

// Interrupted is err as an *InterruptedError naming phase when ctxErr (a
// context's Err) says the build was cancelled; otherwise err as it is.
// Output stages report their own phases with it.
func Interrupted(ctxErr error, phase string, err error) error {
	var ie *InterruptedError
	if err == nil || ctxErr == nil || errors.As(err, &ie) {
		return err
	}
	return &InterruptedError{Phase: phase, Err: err}
}
