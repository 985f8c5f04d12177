package bot

import "xabot/internal/dialog"

// officialActions binds the officials' dialogs (registration, the admin's
// invite and revoke) to the officials service.
func (r *Router) officialActions() map[string]dialog.Action {
	return map[string]dialog.Action{}
}
