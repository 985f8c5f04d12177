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
