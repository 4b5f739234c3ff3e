-- Database roles for the three kinds of seat (issue 17), for a PostgreSQL index shared by several seats.
-- Run by `learnpulsectl db setup-roles` with the owner's DATABASE_URL; idempotent. The owner (the full URL)
-- is not bound by these rules; a seat's own login (`learnpulsectl db add-login`) is a member of one group:
--   lp_teacher  reads its own account (no password hash), its own tickets and their thread without notes;
--               opens its own tickets and writes into their thread only through the functions below;
--               adds anonymous metric events; nothing else (not even audit entries: one would be believed).
--   lp_support  reads and works every ticket, thread and outbox entry, reads accounts without password
--               hashes; cannot change accounts or roles, read or write the audit log, or erase.
-- A login acts only while its account is enabled and still has its group's role (lp_current_user_id()).
--   lp_admin    everything (accounts, audit log, erasure); still cannot rewrite the audit log (trigger).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lp_teacher') THEN CREATE ROLE lp_teacher NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lp_support') THEN CREATE ROLE lp_support NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lp_admin') THEN CREATE ROLE lp_admin NOLOGIN; END IF;
END $$;

-- Which account a login acts for.
CREATE TABLE IF NOT EXISTS lp_logins (login TEXT PRIMARY KEY, user_id TEXT NOT NULL);
REVOKE ALL ON lp_logins FROM PUBLIC;

-- The account a login acts for, while that account is enabled and still has the role of the login's group (an
-- account demoted, disabled or removed after its login was made acts for no one). Functions name their schema
-- path with pg_temp last, so that a temporary table of the caller cannot stand in for one of these.
CREATE OR REPLACE FUNCTION lp_current_user_id() RETURNS TEXT
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
  AS $$ SELECT l.user_id FROM public.lp_logins l JOIN public.users u ON u.id = l.user_id AND u.disabled = 0
        WHERE l.login = session_user AND pg_has_role(session_user, 'lp_' || u.role, 'MEMBER') $$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM lp_teacher, lp_support, lp_admin;
GRANT USAGE ON SCHEMA public TO lp_teacher, lp_support, lp_admin;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO lp_teacher, lp_support, lp_admin;

-- Admins.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO lp_admin;
REVOKE UPDATE, DELETE ON audit_log FROM lp_admin;

-- Support.
GRANT SELECT, INSERT, UPDATE ON tickets, tickets_fts, ticket_messages, outbox, deleted_tickets TO lp_support;
GRANT SELECT ON canned_replies TO lp_support;
GRANT INSERT ON metric_events, feedback_events, csat_events TO lp_support;
GRANT SELECT ON metric_events, feedback_events, csat_events TO lp_support;
GRANT SELECT (id, email, display_name, role, created, disabled) ON users TO lp_support;

-- Teachers.
GRANT SELECT (id, email, display_name, role, created, disabled) ON users TO lp_teacher;
GRANT SELECT ON tickets, ticket_messages TO lp_teacher;
GRANT INSERT ON metric_events, feedback_events, csat_events TO lp_teacher;

-- Rows: a teacher sees their own.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;
ALTER TABLE ticket_messages ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS lp_self ON users;
CREATE POLICY lp_self ON users FOR SELECT TO lp_teacher USING (id = lp_current_user_id());
DROP POLICY IF EXISTS lp_staff ON users;
CREATE POLICY lp_staff ON users TO lp_support, lp_admin USING (lp_current_user_id() IS NOT NULL)
  WITH CHECK (lp_current_user_id() IS NOT NULL);
DROP POLICY IF EXISTS lp_own ON tickets;
CREATE POLICY lp_own ON tickets FOR SELECT TO lp_teacher USING (user_id = lp_current_user_id());
DROP POLICY IF EXISTS lp_staff ON tickets;
CREATE POLICY lp_staff ON tickets TO lp_support, lp_admin USING (lp_current_user_id() IS NOT NULL)
  WITH CHECK (lp_current_user_id() IS NOT NULL);
DROP POLICY IF EXISTS lp_own ON ticket_messages;
CREATE POLICY lp_own ON ticket_messages FOR SELECT TO lp_teacher
  USING (kind <> 'note' AND ticket_id IN (SELECT id FROM tickets WHERE user_id = lp_current_user_id()));
DROP POLICY IF EXISTS lp_staff ON ticket_messages;
CREATE POLICY lp_staff ON ticket_messages TO lp_support, lp_admin USING (lp_current_user_id() IS NOT NULL)
  WITH CHECK (lp_current_user_id() IS NOT NULL);

-- A teacher opens a ticket only as themselves: the function takes the account from the login, never from
-- its arguments, checks the ID's shape, and queues the email with an empty payload (delivery trusts only
-- the ticket id of an outbox row).
CREATE OR REPLACE FUNCTION lp_create_ticket(p_id TEXT, p_session TEXT, p_created TEXT, p_summary TEXT,
    p_signal_count INTEGER, p_rules TEXT, p_file TEXT, p_transcript TEXT, p_class TEXT, p_student TEXT,
    p_scope TEXT) RETURNS TEXT
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  me TEXT := lp_current_user_id();
  account RECORD;
  row_seq BIGINT;
BEGIN
  IF me IS NULL THEN RAISE EXCEPTION 'this login acts for no account'; END IF;
  SELECT * INTO account FROM public.users WHERE id = me AND disabled = 0;
  IF NOT FOUND THEN RAISE EXCEPTION 'the account of this login is removed or disabled'; END IF;
  IF p_id !~ '^TICKET-[0-9a-f]{8}-[0-9]{14}$' OR p_session !~ '^[0-9a-f-]{36}$' THEN
    RAISE EXCEPTION 'not a ticket id or session id';
  END IF;
  INSERT INTO public.tickets (id, session_id, user_id, teacher_name, teacher_email, teacher_role, class_id, student,
      scope, created, updated, summary, signal_count, rules, conversation_file, waiting_since)
    VALUES (p_id, p_session, me, account.display_name, account.email, account.role, p_class, p_student, p_scope,
      p_created, p_created, p_summary, p_signal_count, p_rules, p_file, p_created)
    RETURNING seq INTO row_seq;
  INSERT INTO public.tickets_fts (rowid, ticket_id, transcript) VALUES (row_seq, p_id, p_transcript);
  INSERT INTO public.outbox (ticket_id, kind, payload, next_attempt, created) VALUES (p_id, 'email', '{}', p_created, p_created);
  RETURN p_id;
END $$;

-- A teacher writes into the thread of their own ticket only.
CREATE OR REPLACE FUNCTION lp_add_teacher_message(p_ticket TEXT, p_ts TEXT, p_body TEXT) RETURNS BIGINT
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  me TEXT := lp_current_user_id();
  message_id BIGINT;
BEGIN
  IF me IS NULL OR NOT EXISTS (SELECT 1 FROM public.tickets WHERE id = p_ticket AND user_id = me) THEN
    RAISE EXCEPTION 'no such ticket of this account';
  END IF;
  INSERT INTO public.ticket_messages (ticket_id, ts, kind, author_id, author_name, body)
    SELECT p_ticket, p_ts, 'teacher', me, display_name, p_body FROM public.users WHERE id = me
    RETURNING id INTO message_id;
  RETURN message_id;
END $$;

REVOKE ALL ON FUNCTION lp_create_ticket(TEXT, TEXT, TEXT, TEXT, INTEGER, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT) FROM PUBLIC;
REVOKE ALL ON FUNCTION lp_add_teacher_message(TEXT, TEXT, TEXT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lp_create_ticket(TEXT, TEXT, TEXT, TEXT, INTEGER, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT)
  TO lp_teacher, lp_support, lp_admin;
GRANT EXECUTE ON FUNCTION lp_add_teacher_message(TEXT, TEXT, TEXT) TO lp_teacher, lp_support, lp_admin;
GRANT EXECUTE ON FUNCTION lp_current_user_id() TO lp_teacher, lp_support, lp_admin;
