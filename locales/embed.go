// Package locales holds every user-visible text, one YAML file per language and feature; vi is the reference.
package locales

import "embed"

// FS holds the locale files: <lang>.yaml and <feature>.<lang>.yaml.
//
//go:embed *.yaml
var FS embed.FS
