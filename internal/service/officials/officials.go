// Package officials manages the commune's officials: one-time invite codes,
// binding a chat with /dangky, listing and revoking, and the audit of role
// changes.
package officials

// Service manages officials.
type Service struct{}
