// Package codecheck holds the tests that keep the code's shape: which
// packages may import which (the root builder imports no output stage, the
// output stages do not import each other, and the low-level helpers of
// internal/sys import nothing above them), no Go file over 250 lines, and
// a doc comment on every exported identifier. It has no code of its own.
package codecheck
