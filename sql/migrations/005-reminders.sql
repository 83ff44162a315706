-- 005-reminders.sql: the reminders already queued, one row per request,
-- kind, starting date and period, so that a reminder is sent once per
-- period however often the daily check runs (see include/segur/remind.h).

CREATE TABLE reminder (
	request_id	INTEGER NOT NULL REFERENCES request(id),
	kind		TEXT NOT NULL CHECK (kind IN ('submitted', 'decision',
			    'balance', 'deadline')),
	since		TEXT NOT NULL CHECK (since GLOB
			    '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	period		TEXT NOT NULL,
	alert_id	INTEGER NOT NULL REFERENCES alert(id),
	queued_on	TEXT NOT NULL,
	PRIMARY KEY (request_id, kind, since, period)
) WITHOUT ROWID;
