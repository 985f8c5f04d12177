package domain

// FieldOfficials returns who hears about a field's dossiers as a group (the
// daily overdue list): the active officials of that field, else the heads of
// the one-stop shop, else the chairmen, so that no field goes unheard.
func FieldOfficials(field string, all []Official) []Official {
	var of, heads, chairs []Official
	for _, o := range all {
		if !o.Active() {
			continue
		}
		switch {
		case o.Handles(field):
			of = append(of, o)
		case o.Head:
			heads = append(heads, o)
		case o.Role == RoleChairman:
			chairs = append(chairs, o)
		}
	}
	for _, group := range [][]Official{of, heads, chairs} {
		if len(group) > 0 {
			return group
		}
	}
	return nil
}

// UnknownFields returns the names of fields that are none of known, matched
// as Official.Handles matches them (without case or accents).
func UnknownFields(fields, known []string) []string {
	var out []string
	for _, f := range fields {
		if !(Official{Fields: known}).Handles(f) {
			out = append(out, f)
		}
	}
	return out
}
