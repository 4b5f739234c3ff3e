#include "schema.h"

// The index's schema, one numbered step after another, for both back ends (DESIGN.md, "Tickets").
// A step is never changed once released: a change is a new step.

namespace LearnPulse::Schema {

namespace {

const char *const schemaV1[] = {
    R"sql(CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('teacher', 'support', 'admin')),
        password_hash TEXT,
        created TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0))sql",
    R"sql(CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        teacher_name TEXT NOT NULL,
        teacher_email TEXT NOT NULL COLLATE NOCASE,
        teacher_role TEXT NOT NULL,
        class_id TEXT NOT NULL DEFAULT '',
        student TEXT NOT NULL DEFAULT '',
        scope TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        summary TEXT NOT NULL,
        signal_count INTEGER NOT NULL,
        rules TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved')),
        email_status TEXT NOT NULL DEFAULT 'pending',
        conversation_file TEXT NOT NULL))sql",
    "CREATE INDEX tickets_user ON tickets (user_id)",
    "CREATE INDEX tickets_email ON tickets (teacher_email)",
    "CREATE INDEX tickets_created ON tickets (created)",
    "CREATE VIRTUAL TABLE tickets_fts USING fts5 (ticket_id UNINDEXED, transcript, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    R"sql(CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT ''))sql",
};

// Version 2: the durable outbox of ticket emails and webhook posts.
const char *const schemaV2[] = {
    R"sql(CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('email', 'webhook')),
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
        tries INTEGER NOT NULL DEFAULT 0,
        next_attempt TEXT NOT NULL,
        lease_until TEXT NOT NULL DEFAULT '',
        last_error TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        sent_at TEXT NOT NULL DEFAULT '',
        UNIQUE (ticket_id, kind)))sql",
    "CREATE INDEX outbox_due ON outbox (state, next_attempt)",
};

// Version 3: an append-only audit log, and slowing down failed sign-ins per account.
const char *const schemaV3[] = {
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is "
    "append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is "
    "append-only'); END",
    "ALTER TABLE users ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE users ADD COLUMN locked_until TEXT NOT NULL DEFAULT ''",
};

// Version 4: a flag for index rows whose transcript file is gone (set by the reconciliation at start).
const char *const schemaV4[] = {
    "ALTER TABLE tickets ADD COLUMN integrity TEXT NOT NULL DEFAULT ''",
};

// Version 5: tickets get an explicit integer key (`seq`, which VACUUM cannot renumber, unlike an
// implicit rowid) and the full-text row of a ticket takes the same number as its rowid, so a
// search joins on integers instead of looking each match up by its text id.
const char *const schemaV5[] = {
    R"sql(CREATE TABLE tickets_v5 (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        session_id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        teacher_name TEXT NOT NULL,
        teacher_email TEXT NOT NULL COLLATE NOCASE,
        teacher_role TEXT NOT NULL,
        class_id TEXT NOT NULL DEFAULT '',
        student TEXT NOT NULL DEFAULT '',
        scope TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        summary TEXT NOT NULL,
        signal_count INTEGER NOT NULL,
        rules TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved')),
        email_status TEXT NOT NULL DEFAULT 'pending',
        conversation_file TEXT NOT NULL,
        integrity TEXT NOT NULL DEFAULT ''))sql",
    R"sql(INSERT INTO tickets_v5 (id, session_id, user_id, teacher_name, teacher_email, teacher_role, class_id, student,
        scope, created, updated, summary, signal_count, rules, status, email_status, conversation_file, integrity)
        SELECT id, session_id, user_id, teacher_name, teacher_email, teacher_role, class_id, student, scope, created,
        updated, summary, signal_count, rules, status, email_status, conversation_file, integrity
        FROM tickets ORDER BY created, id)sql",
    "DROP TABLE tickets",
    "ALTER TABLE tickets_v5 RENAME TO tickets",
    "CREATE INDEX tickets_user ON tickets (user_id)",
    "CREATE INDEX tickets_email ON tickets (teacher_email)",
    "CREATE INDEX tickets_created ON tickets (created)",
    "CREATE VIRTUAL TABLE tickets_fts_v5 USING fts5 (ticket_id UNINDEXED, transcript, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    R"sql(INSERT INTO tickets_fts_v5 (rowid, ticket_id, transcript)
        SELECT t.seq, f.ticket_id, f.transcript FROM tickets_fts f JOIN tickets t ON t.id = f.ticket_id)sql",
    "DROP TABLE tickets_fts",
    "ALTER TABLE tickets_fts_v5 RENAME TO tickets_fts",
};

// Version 6: anonymous metric events (no session, person or text; the hour only).
const char *const schemaV6[] = {
    R"sql(CREATE TABLE metric_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('session', 'escalation', 'guard')),
        messages INTEGER NOT NULL DEFAULT 0,
        detail TEXT NOT NULL DEFAULT ''))sql",
    "CREATE INDEX metric_events_ts ON metric_events (ts)",
};

// Version 7, both back ends: the ids of deleted, erased and expired tickets. A transcript file with
// such an id (left on another seat's disk, or by a crash between the rows and the file) is deleted
// by the start-up reconciliation instead of being indexed again. Ids only: no personal data.
const char *const schemaV7[] = {
    "CREATE TABLE deleted_tickets (id TEXT PRIMARY KEY, deleted TEXT NOT NULL)",
};

// Version 8: the ticket thread (issue 15). After the escalation a ticket lives on: the teacher's
// follow-ups, the assistant's later answers, support replies and internal notes, in order. A ticket
// has an assignee, the time since which a teacher message waits for a reply (far in the future when
// none waits, so that the column sorts the longest wait first on both back ends), the id of the
// newest thread message the teacher has seen, and the teacher's rating once it is resolved. Ratings
// are also counted anonymously for the metrics (hour and verdict only), and admins keep canned replies.
#define LP_THREAD_TABLES(SERIAL)                                                                                       \
    "CREATE TABLE ticket_messages (id " SERIAL ", ticket_id TEXT NOT NULL, ts TEXT NOT NULL, "                         \
    "kind TEXT NOT NULL CHECK (kind IN ('teacher', 'assistant', 'support', 'note')), "                                 \
    "author_id TEXT NOT NULL DEFAULT '', author_name TEXT NOT NULL DEFAULT '', body TEXT NOT NULL)",                   \
        "CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id)",                                      \
        "ALTER TABLE tickets ADD COLUMN assignee_id TEXT NOT NULL DEFAULT ''",                                         \
        "ALTER TABLE tickets ADD COLUMN assignee_name TEXT NOT NULL DEFAULT ''",                                       \
        "ALTER TABLE tickets ADD COLUMN waiting_since TEXT NOT NULL DEFAULT '9999-12-31T23:59:59Z'",                   \
        "ALTER TABLE tickets ADD COLUMN teacher_read BIGINT NOT NULL DEFAULT 0",                                       \
        "ALTER TABLE tickets ADD COLUMN rating TEXT NOT NULL DEFAULT ''",                                              \
        "ALTER TABLE tickets ADD COLUMN rating_comment TEXT NOT NULL DEFAULT ''",                                      \
        "UPDATE tickets SET waiting_since = created WHERE status <> 'resolved'",                                       \
        "CREATE INDEX tickets_waiting ON tickets (waiting_since)",                                                     \
        "CREATE TABLE csat_events (id " SERIAL ", ts TEXT NOT NULL, helpful INTEGER NOT NULL)",                        \
        "CREATE TABLE canned_replies (id " SERIAL ", title TEXT NOT NULL UNIQUE, body TEXT NOT NULL)"

const char *const schemaV8[] = { LP_THREAD_TABLES("INTEGER PRIMARY KEY AUTOINCREMENT") };
const char *const postgresV8[] = { LP_THREAD_TABLES("BIGSERIAL PRIMARY KEY") };
#undef LP_THREAD_TABLES

// Version 9: teachers' feedback, counted anonymously for the metrics like metric_events (the hour and
// what happened only): thumbs up and down on replies, offers of a ticket and their answers, and signals
// a teacher withdrew.
#define LP_FEEDBACK_TABLES(SERIAL)                                                                                     \
    "CREATE TABLE feedback_events (id " SERIAL ", ts TEXT NOT NULL, "                                                  \
    "kind TEXT NOT NULL CHECK (kind IN ('thumbs', 'offer', 'withdrawn')), detail TEXT NOT NULL DEFAULT '')",           \
        "CREATE INDEX feedback_events_ts ON feedback_events (ts)"

const char *const schemaV9[] = { LP_FEEDBACK_TABLES("INTEGER PRIMARY KEY AUTOINCREMENT") };
const char *const postgresV9[] = { LP_FEEDBACK_TABLES("BIGSERIAL PRIMARY KEY") };
#undef LP_FEEDBACK_TABLES

// Version 10: erasure without gaps. An account removed in Administration gets a placeholder email; the
// SHA-256 of each email it had stays in account_emails, so that an erasure by that email still finds it
// (the hash, not the address). An erasure that could not reach Redis leaves the user ids in erase_pending
// (with the hash of the email it was asked for), and a re-run or the console's next start finishes it.
#define LP_ERASURE_TABLES                                                                                              \
    "CREATE TABLE account_emails (user_id TEXT NOT NULL, email_hash TEXT NOT NULL, PRIMARY KEY (user_id, "             \
    "email_hash))",                                                                                                    \
        "CREATE INDEX account_emails_hash ON account_emails (email_hash)",                                             \
        "CREATE TABLE erase_pending (user_id TEXT NOT NULL, email_hash TEXT NOT NULL DEFAULT '', created TEXT NOT "    \
        "NULL, PRIMARY KEY (user_id, email_hash))"

const char *const schemaV10[] = { LP_ERASURE_TABLES };
#undef LP_ERASURE_TABLES

// PostgreSQL (several seats, DATABASE_URL) starts at schema version 6: its first migration creates
// what SQLite reached through versions 1 to 6. Later versions add a step for each back end (7 is
// the same statement on both).
// Emails compare without regard to case (SQLite: COLLATE NOCASE; here: indexes on lower()). The
// full-text index keeps the transcript and a generated tsvector ('simple': no stemming, like FTS5;
// every run of other characters splits words, as FTS5's tokenizer does, so that "khan" finds
// amira.khan@school.example).
const char *const postgresV6[] = {
    R"sql(CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('teacher', 'support', 'admin')),
        password_hash TEXT,
        created TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        failed_sign_ins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT NOT NULL DEFAULT ''))sql",
    "CREATE UNIQUE INDEX users_email ON users (lower(email))",
    R"sql(CREATE TABLE tickets (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        session_id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        teacher_name TEXT NOT NULL,
        teacher_email TEXT NOT NULL,
        teacher_role TEXT NOT NULL,
        class_id TEXT NOT NULL DEFAULT '',
        student TEXT NOT NULL DEFAULT '',
        scope TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        summary TEXT NOT NULL,
        signal_count INTEGER NOT NULL,
        rules TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved')),
        email_status TEXT NOT NULL DEFAULT 'pending',
        conversation_file TEXT NOT NULL,
        integrity TEXT NOT NULL DEFAULT ''))sql",
    "CREATE INDEX tickets_user ON tickets (user_id)",
    "CREATE INDEX tickets_email ON tickets (lower(teacher_email))",
    "CREATE INDEX tickets_created ON tickets (created)",
    R"sql(CREATE TABLE tickets_fts (
        rowid BIGINT PRIMARY KEY,
        ticket_id TEXT NOT NULL,
        transcript TEXT NOT NULL,
        tsv TSVECTOR GENERATED ALWAYS AS (
            to_tsvector('simple', regexp_replace(transcript, '[^[:alnum:]_]+', ' ', 'g'))) STORED))sql",
    "CREATE INDEX tickets_fts_tsv ON tickets_fts USING GIN (tsv)",
    R"sql(CREATE TABLE audit_log (
        id BIGSERIAL PRIMARY KEY,
        ts TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT ''))sql",
    "CREATE FUNCTION lp_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION lp_audit_log_append_only()",
    R"sql(CREATE TABLE outbox (
        id BIGSERIAL PRIMARY KEY,
        ticket_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('email', 'webhook')),
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
        tries INTEGER NOT NULL DEFAULT 0,
        next_attempt TEXT NOT NULL,
        lease_until TEXT NOT NULL DEFAULT '',
        last_error TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        sent_at TEXT NOT NULL DEFAULT '',
        UNIQUE (ticket_id, kind)))sql",
    "CREATE INDEX outbox_due ON outbox (state, next_attempt)",
    R"sql(CREATE TABLE metric_events (
        id BIGSERIAL PRIMARY KEY,
        ts TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('session', 'escalation', 'guard')),
        messages INTEGER NOT NULL DEFAULT 0,
        detail TEXT NOT NULL DEFAULT ''))sql",
    "CREATE INDEX metric_events_ts ON metric_events (ts)",
};

} // namespace

std::span<const char *const> sqliteStep(int version)
{
    static const std::span<const char *const> steps[]
        = { schemaV1, schemaV2, schemaV3, schemaV4, schemaV5, schemaV6, schemaV7, schemaV8, schemaV9, schemaV10 };
    static_assert(std::size(steps) == currentVersion);
    return version >= 1 && version <= currentVersion ? steps[version - 1] : std::span<const char *const>();
}

std::span<const char *const> postgresStep(int version)
{
    static const std::span<const char *const> steps[]
        = { {}, {}, {}, {}, {}, postgresV6, schemaV7, postgresV8, postgresV9, schemaV10 };
    static_assert(std::size(steps) == currentVersion);
    return version >= 1 && version <= currentVersion ? steps[version - 1] : std::span<const char *const>();
}

} // namespace LearnPulse::Schema
