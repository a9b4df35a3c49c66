package images

import "errors"

// InputError marks a problem with what was asked for (options, flavours,
// output directory), found before anything was created. Commands exit
// with status 2 on it.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
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

func (e *InterruptedError) Error() string {
	return "build interrupted during phase " + e.Phase + ": " + e.Err.Error()
}
func (e *InterruptedError) Unwrap() error { return e.Err }
