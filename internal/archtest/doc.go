// Package archtest holds the tests that keep the import graph pointing one
// way (docs/ARCHITECTURE.md «Layers and import rules») and the project
// standing alone: no file cites a document outside it, and every docs/ file
// (and section) a Go comment names exists; no service spells a dialog's
// callback data (they offer intents) and no product code a routing field
// name (the commune profile holds them). It has no code of its own.
package archtest
