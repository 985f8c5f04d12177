// Package archtest holds the tests that keep the import graph pointing one
// way (docs/ARCHITECTURE.md «Layers and import rules») and the project
// standing alone: no file cites a document outside it, and every docs/ file
// (and section) a Go comment names exists. It has no code of its own.
package archtest
