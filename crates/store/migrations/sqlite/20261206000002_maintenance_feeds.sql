-- The iCalendar feed of a partner's maintenance (issue 12): one secret token per partner, in the
-- feed's URL (calendar clients cannot send headers). It is kept as given, because the partner
-- admin reads the URL again (GET /api/v1/partners/{code}/feeds); regenerating replaces it, and
-- the old URL then answers 404.
CREATE TABLE partner_feeds (
    partner TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- The occurrences a reschedule or a cancel withdrew before they started, so that the feed can
-- tell calendars they are cancelled (STATUS:CANCELLED, with the window's SEQUENCE then).
CREATE TABLE maintenance_withdrawn (
    window_id TEXT NOT NULL REFERENCES maintenance_windows (id),
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    round BIGINT NOT NULL,
    withdrawn_at BIGINT NOT NULL
);
CREATE INDEX maintenance_withdrawn_window ON maintenance_withdrawn (window_id, start_at);
