// Package dialogs holds the conversations as data, one YAML file per flow;
// internal/dialog runs them. No logic lives here.
package dialogs

import "embed"

// FS holds every dialog definition.
//
//go:embed *.yaml
var FS embed.FS
