// Package archtest holds the test that keeps the import graph pointing one
// way (DESIGN.md §2). It has no code of its own.
package archtest
