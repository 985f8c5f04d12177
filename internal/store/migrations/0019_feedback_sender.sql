-- 0019_feedback_sender: who sent a message «kèm danh tính» (with identity),
-- as they gave it for the official to call back: a name and a phone. Empty
-- for an anonymous message and for messages stored before this migration;
-- /xoadulieu empties them with the chat key.
ALTER TABLE feedback ADD COLUMN sender_name TEXT NOT NULL DEFAULT '';
ALTER TABLE feedback ADD COLUMN sender_phone TEXT NOT NULL DEFAULT '';
