// Package domain is xabot's shared vocabulary: dossiers (hồ sơ), their
// statuses and codes, citizens, procedures, and the pure rules on them
// (overdue, masking, code and phone parsing, working days). It does no I/O
// and imports nothing from this module.
package domain
