-- 0012_feedback_dossier: the dossier a message's text cites (domain.FindCode)
-- and that dossier's handler as named at submission. A complaint, a
-- denunciation or staff-attitude feedback never reaches that handler
-- (domain.Feedback.Excludes); keeping the name, not an official's id, also
-- keeps away a handler who registers later, and a later import that changes
-- the dossier's handler does not open the message to the one it accuses.
-- Messages stored before this migration cite nothing.
ALTER TABLE feedback ADD COLUMN dossier_code TEXT NOT NULL DEFAULT '';
ALTER TABLE feedback ADD COLUMN dossier_handler TEXT NOT NULL DEFAULT '';
