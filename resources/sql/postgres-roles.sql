-- Database roles for the three kinds of seat (issue 17), for a PostgreSQL index shared by several seats.
-- Run by `learnpulsectl db setup-roles` with the owner's DATABASE_URL; idempotent. The owner (the full URL)
-- is not bound by these rules; a seat's own login (`learnpulsectl db add-login`) is a member of one group:
--   lp_teacher  reads its own account (no password hash), its own tickets and their thread without notes;
--               opens its own tickets, writes into their thread, marks it read and rates it only through the
--               functions below; adds anonymous metric events; audits only a teacher's own acts, under its
--               own account's name (lp_audit); nothing else.
-- Every seat signs in through lp_sign_in_state (only its own account's hash, for its own email).
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
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM lp_teacher, lp_support, lp_admin;
GRANT USAGE ON SCHEMA public TO lp_teacher, lp_support, lp_admin;
-- No login but the owner creates anything in the schema (PostgreSQL before 15 let everyone).
DO $$
BEGIN
  REVOKE CREATE ON SCHEMA public FROM PUBLIC;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'the schema public is not this login''s: revoke CREATE on it from PUBLIC by hand';
END $$;
-- Every seat checks that the index has the schema its build knows (only the owner migrates).
GRANT SELECT ON schema_version TO lp_teacher, lp_support, lp_admin;

-- Admins: everything but the schema's version, the audit log (appended through lp_audit only, never rewritten)
-- and which login acts for whom (the owner's alone: db add-login).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO lp_admin;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO lp_admin;
REVOKE INSERT, UPDATE, DELETE ON schema_version, audit_log FROM lp_admin;
REVOKE ALL ON lp_logins FROM lp_admin;

-- Support: reads every ticket and works it (status, assignee, the wait, its email's state), replies and notes
-- in its own name, delivers the outbox; reads accounts without password hashes.
GRANT SELECT ON tickets, tickets_fts, ticket_messages, outbox, deleted_tickets, canned_replies TO lp_support;
GRANT UPDATE (status, updated, waiting_since, assignee_id, assignee_name, email_status) ON tickets TO lp_support;
GRANT INSERT ON ticket_messages TO lp_support;
GRANT UPDATE (state, tries, next_attempt, lease_until, last_error, sent_at, payload) ON outbox TO lp_support;
GRANT SELECT, INSERT ON metric_events, feedback_events, csat_events TO lp_support;
GRANT SELECT (id, email, display_name, role, created, disabled) ON users TO lp_support;

-- Teachers (and which ticket ids were deleted: a seat removes those transcripts from its disk).
GRANT SELECT (id, email, display_name, role, created, disabled) ON users TO lp_teacher;
GRANT SELECT ON tickets, ticket_messages, deleted_tickets TO lp_teacher;
GRANT INSERT ON metric_events, feedback_events, csat_events TO lp_teacher;

-- The counters of the rows each group adds.
DO $$
DECLARE
  t TEXT;
  seq TEXT;
BEGIN
  FOREACH t IN ARRAY ARRAY['metric_events', 'feedback_events', 'csat_events', 'ticket_messages'] LOOP
    seq := pg_get_serial_sequence('public.' || t, 'id');
    IF seq IS NOT NULL THEN
      EXECUTE 'GRANT USAGE ON SEQUENCE ' || seq || ' TO lp_support';
      IF t <> 'ticket_messages' THEN EXECUTE 'GRANT USAGE ON SEQUENCE ' || seq || ' TO lp_teacher'; END IF;
    END IF;
  END LOOP;
END $$;

-- Rows: a teacher sees their own; support reads every row and changes only what its grants name.
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
CREATE POLICY lp_staff ON ticket_messages TO lp_admin USING (lp_current_user_id() IS NOT NULL)
  WITH CHECK (lp_current_user_id() IS NOT NULL);
DROP POLICY IF EXISTS lp_support_reads ON ticket_messages;
CREATE POLICY lp_support_reads ON ticket_messages FOR SELECT TO lp_support USING (lp_current_user_id() IS NOT NULL);
DROP POLICY IF EXISTS lp_support_writes ON ticket_messages;
CREATE POLICY lp_support_writes ON ticket_messages FOR INSERT TO lp_support
  WITH CHECK (kind IN ('support', 'note') AND author_id = lp_current_user_id());

-- Every table a group may touch also requires, row by row, that the login acts for an enabled account that still
-- has the group's role: a login whose groups were not taken away (by hand, or a failed step) still reads and
-- writes nothing. Restrictive policies are ANDed with the permissive ones above; tables without row policies of
-- their own get a permissive one, so that their grants alone say what each group may do. The owner (and so the
-- SECURITY DEFINER functions below) is not bound by row security.
DO $$
DECLARE
  t TEXT;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('DROP POLICY IF EXISTS lp_active ON public.%I', t);
    EXECUTE format('CREATE POLICY lp_active ON public.%I AS RESTRICTIVE TO lp_teacher, lp_support, lp_admin '
                   'USING ((SELECT public.lp_current_user_id()) IS NOT NULL) '
                   'WITH CHECK ((SELECT public.lp_current_user_id()) IS NOT NULL)', t);
    IF t NOT IN ('users', 'tickets', 'ticket_messages') THEN
      EXECUTE format('DROP POLICY IF EXISTS lp_granted ON public.%I', t);
      EXECUTE format('CREATE POLICY lp_granted ON public.%I TO lp_teacher, lp_support, lp_admin '
                     'USING (true) WITH CHECK (true)', t);
    END IF;
  END LOOP;
END $$;

-- An account removed, disabled, demoted or promoted takes its logins out of every group in the same transaction
-- as the change, whoever makes it (a console, learnpulsectl, psql); an account erased (its row deleted) also
-- loses its logins and their lp_logins rows. Enabled again or given its role back, a login stays out until
-- `learnpulsectl db add-login` grants it again.
CREATE OR REPLACE FUNCTION lp_account_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  l TEXT;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.role = OLD.role AND NEW.disabled = OLD.disabled THEN RETURN NULL; END IF;
  FOR l IN SELECT login FROM public.lp_logins WHERE user_id = OLD.id LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = l);
    EXECUTE format('REVOKE lp_teacher, lp_support, lp_admin FROM %I', l);
    IF TG_OP = 'DELETE' THEN
      BEGIN
        EXECUTE format('DROP ROLE %I', l);
      EXCEPTION WHEN OTHERS THEN -- still connected as itself, or owns something: it can no longer sign in
        EXECUTE format('ALTER ROLE %I NOLOGIN', l);
      END;
    END IF;
  END LOOP;
  IF TG_OP = 'DELETE' THEN DELETE FROM public.lp_logins WHERE user_id = OLD.id; END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION lp_account_changed() FROM PUBLIC;
DROP TRIGGER IF EXISTS lp_account_changed ON users;
CREATE TRIGGER lp_account_changed AFTER UPDATE OF role, disabled OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION lp_account_changed();

-- A seat opens a ticket only as its own account: the function takes the account from the login, never from
-- its arguments, checks the ID's shape, and queues the email (and webhook); an email's payload holds only the
-- account's email and id (delivery trusts only the ticket id of an outbox row; the erasure reads the payload).
DROP FUNCTION IF EXISTS lp_create_ticket(TEXT, TEXT, TEXT, TEXT, INTEGER, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT);
CREATE OR REPLACE FUNCTION lp_create_ticket(p_id TEXT, p_session TEXT, p_created TEXT, p_summary TEXT,
    p_signal_count INTEGER, p_rules TEXT, p_file TEXT, p_transcript TEXT, p_class TEXT, p_student TEXT,
    p_scope TEXT, p_email_status TEXT, p_outbox TEXT) RETURNS TEXT
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  me TEXT := public.lp_current_user_id();
  now_text TEXT := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
  account RECORD;
  row_seq BIGINT;
  outbox_kind TEXT;
  header TEXT;
BEGIN
  IF me IS NULL THEN RAISE EXCEPTION 'this login acts for no account'; END IF;
  SELECT * INTO account FROM public.users WHERE id = me AND disabled = 0;
  IF NOT FOUND THEN RAISE EXCEPTION 'the account of this login is removed or disabled'; END IF;
  IF p_id !~ '^TICKET-[0-9a-f]{8}-[0-9]{14}$' OR p_session !~ '^[0-9a-f-]{36}$' THEN
    RAISE EXCEPTION 'not a ticket id or session id';
  END IF;
  IF p_email_status NOT IN ('pending', 'not_configured') THEN RAISE EXCEPTION 'not an email status'; END IF;
  IF length(p_summary) > 1000 OR length(p_rules) > 2000 OR length(p_file) > 4096 OR length(p_class) > 200
     OR length(p_student) > 200 OR length(p_scope) > 200 OR length(p_transcript) > 50000000
     OR p_signal_count NOT BETWEEN 0 AND 100000 THEN
    RAISE EXCEPTION 'a ticket field is too long';
  END IF;
  -- A session id ends in the first 8 hex digits of SHA-256 of its account's id (SessionStore::boundSessionId): one
  -- that names another account is that account's, and is not taken from this one (ids made before this rule name
  -- no account and are taken).
  IF right(p_session, 8) <> left(encode(sha256(convert_to(me, 'UTF8')), 'hex'), 8) AND EXISTS (
       SELECT 1 FROM public.users u
        WHERE u.id <> me AND left(encode(sha256(convert_to(u.id, 'UTF8')), 'hex'), 8) = right(p_session, 8)) THEN
    RAISE EXCEPTION 'this session is another account''s';
  END IF;
  -- What the seat sends must be this ticket's and this account's: a one-line summary; the transcript's header
  -- names this ticket, this session and this account; the file is this ticket's own transcript file.
  IF p_summary ~ E'[\\n\\r\\u2028\\u2029\\u0085]' OR length(p_summary) > 300 THEN
    RAISE EXCEPTION 'a summary is one line of at most 300 characters';
  END IF;
  header := split_part(p_transcript, E'\nConversation (', 1);
  IF left(header, length(E'LearnPulse support ticket\nTicket ID: ' || p_id || E'\nCreated: '))
       <> E'LearnPulse support ticket\nTicket ID: ' || p_id || E'\nCreated: '
     OR position(E'\nSession: ' || p_session || E'\n' IN header) = 0
     OR position(E'\n  Email: ' || account.email || E'\n' IN header) = 0
     OR position(E'\n  User ID: ' || me || E'\n' IN header) = 0 THEN
    RAISE EXCEPTION 'the transcript is not this ticket''s or not this account''s';
  END IF;
  IF p_file !~ ('^/([^/]+/)*support_tickets/support_ticket_' || substr(p_id, 8, 8) || '_' || substr(p_id, 17, 8) || '_'
                || substr(p_id, 25, 6) || '\.txt$') OR p_file ~ '/\.\.?/' THEN
    RAISE EXCEPTION 'the transcript file is not this ticket''s own';
  END IF;
  -- Kept as the bare file name: the index names no seat's folder (each seat looks in its own).
  p_file := substring(p_file FROM '[^/]+$');
  -- Its time as the seat says (the transcript's), never later than now; it waits from now.
  IF p_created::timestamptz > clock_timestamp() THEN p_created := now_text; END IF;
  INSERT INTO public.tickets (id, session_id, user_id, teacher_name, teacher_email, teacher_role, class_id, student,
      scope, created, updated, summary, signal_count, rules, email_status, conversation_file, waiting_since)
    VALUES (p_id, p_session, me, account.display_name, account.email, account.role, p_class, p_student, p_scope,
      p_created, now_text, p_summary, p_signal_count, p_rules, p_email_status, p_file, now_text)
    RETURNING seq INTO row_seq;
  INSERT INTO public.tickets_fts (rowid, ticket_id, transcript) VALUES (row_seq, p_id, p_transcript);
  FOREACH outbox_kind IN ARRAY coalesce(string_to_array(nullif(p_outbox, ''), ','), '{}') LOOP
    IF outbox_kind NOT IN ('email', 'webhook') THEN RAISE EXCEPTION 'not an outbox kind'; END IF;
    -- Due at once on every seat's clock ('' sorts before every time).
    -- An email's row names whose ticket it carries (from the account, not from the seat), so that an erasure
    -- finds a sent email after its ticket is gone; the delivering seat adds where it went.
    INSERT INTO public.outbox (ticket_id, kind, payload, next_attempt, created)
      VALUES (p_id, outbox_kind,
        CASE WHEN outbox_kind = 'email' THEN json_build_object('reply_to', account.email, 'user_id', me)::text
             ELSE '{}' END,
        '', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
  END LOOP;
  RETURN p_id;
END $$;

-- A teacher writes into the thread of their own ticket only: their own messages and the assistant's replies
-- that follow the ticket. A teacher's message starts the ticket's wait and opens a resolved one again (as
-- TicketThread does on the owner's connection).
DROP FUNCTION IF EXISTS lp_add_teacher_message(TEXT, TEXT, TEXT);
CREATE OR REPLACE FUNCTION lp_add_thread_message(p_ticket TEXT, p_ts TEXT, p_kind TEXT, p_body TEXT) RETURNS BIGINT
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  me TEXT := public.lp_current_user_id();
  message_id BIGINT;
BEGIN
  IF me IS NULL OR NOT EXISTS (SELECT 1 FROM public.tickets WHERE id = p_ticket AND user_id = me) THEN
    RAISE EXCEPTION 'no such ticket of this account';
  END IF;
  IF p_kind NOT IN ('teacher', 'assistant') THEN RAISE EXCEPTION 'a teacher writes teacher messages only'; END IF;
  IF length(p_body) > 100000 THEN RAISE EXCEPTION 'the message is too long'; END IF;
  p_ts := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'); -- the server's time, not the seat's
  INSERT INTO public.ticket_messages (ticket_id, ts, kind, author_id, author_name, body)
    SELECT p_ticket, p_ts, p_kind, me, CASE WHEN p_kind = 'assistant' THEN 'Assistant' ELSE display_name END, p_body
      FROM public.users WHERE id = me
    RETURNING id INTO message_id;
  IF p_kind = 'assistant' THEN
    UPDATE public.tickets SET updated = p_ts WHERE id = p_ticket;
  ELSE
    UPDATE public.tickets SET updated = p_ts,
        waiting_since = CASE WHEN waiting_since = '9999-12-31T23:59:59Z' THEN p_ts ELSE waiting_since END,
        status = CASE WHEN status = 'resolved' THEN 'open' ELSE status END,
        rating = CASE WHEN status = 'resolved' THEN '' ELSE rating END,
        rating_comment = CASE WHEN status = 'resolved' THEN '' ELSE rating_comment END
      WHERE id = p_ticket;
  END IF;
  RETURN message_id;
END $$;

-- A teacher marks their own ticket's thread read up to a message.
CREATE OR REPLACE FUNCTION lp_mark_read(p_ticket TEXT, p_up_to BIGINT) RETURNS VOID
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
  AS $$ UPDATE public.tickets SET teacher_read = p_up_to
        WHERE id = p_ticket AND user_id = public.lp_current_user_id() AND teacher_read < p_up_to $$;

-- A teacher rates their own resolved ticket once; true when the rating was taken.
CREATE OR REPLACE FUNCTION lp_rate_ticket(p_ticket TEXT, p_rating TEXT, p_comment TEXT) RETURNS BOOLEAN
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF p_rating NOT IN ('helpful', 'not_helpful') THEN RAISE EXCEPTION 'not a rating'; END IF;
  UPDATE public.tickets SET rating = p_rating, rating_comment = p_comment
    WHERE id = p_ticket AND user_id = public.lp_current_user_id() AND status = 'resolved' AND rating = '';
  RETURN FOUND;
END $$;

-- Sign-in at a seat: the password hash and throttling state of the login's own account, and only when the
-- email typed is that account's (a seat's login cannot read anyone's hash, nor sign in as someone else).
CREATE OR REPLACE FUNCTION lp_sign_in_state(p_email TEXT)
    RETURNS TABLE (user_id TEXT, password_hash TEXT, failed_sign_ins INTEGER, locked_until TEXT)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
  AS $$ SELECT u.id, u.password_hash, u.failed_sign_ins, u.locked_until FROM public.users u
        WHERE u.id = public.lp_current_user_id() AND lower(u.email) = lower(trim(p_email)) $$;
CREATE OR REPLACE FUNCTION lp_record_sign_in(p_failures INTEGER, p_locked_until TEXT) RETURNS VOID
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
  AS $$ UPDATE public.users SET failed_sign_ins = greatest(p_failures, 0), locked_until = p_locked_until
        WHERE id = public.lp_current_user_id() $$;

-- A seat appends to the audit log under its own account's name, with the server's time; a teacher's seat only
-- what a teacher does, a support seat only sign-ins and ticket work.
CREATE OR REPLACE FUNCTION lp_audit(p_action TEXT, p_target TEXT, p_detail TEXT) RETURNS VOID
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  me TEXT := public.lp_current_user_id();
  my_role TEXT;
BEGIN
  IF me IS NULL THEN RAISE EXCEPTION 'this login acts for no account'; END IF;
  SELECT role INTO my_role FROM public.users WHERE id = me;
  -- Written by the database itself when they happen (lp_ticket_audit): taken from no seat.
  IF p_action IN ('ticket.status', 'ticket.assign', 'ticket.support', 'ticket.note') AND my_role IN ('support', 'admin')
  THEN
    RETURN;
  END IF;
  -- A teacher's or support seat: sign-ins of its own account, and what its role does on a ticket it can see (a
  -- teacher: her own; support: no deletion, no erasure).
  IF my_role <> 'admin' AND NOT (
       (p_action IN ('account.sign_in', 'account.sign_in_failed', 'account.sign_in_refused')
        AND coalesce(p_target, '') IN ('', me))
       OR (p_action IN ('ticket.teacher', 'ticket.assistant', 'ticket.reopen', 'ticket.rate') AND my_role = 'teacher'
           AND EXISTS (SELECT 1 FROM public.tickets WHERE id = p_target AND user_id = me))) THEN
    RAISE EXCEPTION 'a % seat does not audit % of %', my_role, p_action, p_target;
  END IF;
  IF length(p_action) > 100 OR length(p_target) > 2000 OR length(p_detail) > 2000 THEN
    RAISE EXCEPTION 'an audit entry is too long';
  END IF;
  INSERT INTO public.audit_log (ts, actor, action, target, detail)
    VALUES (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), my_role || ':' || me,
      p_action, coalesce(p_target, ''), coalesce(p_detail, ''));
END $$;

-- A thread row a support or admin seat writes directly is its account's, with the server's time and the
-- sequence's id, whatever the statement said; only support replies and notes (a teacher's rows go through
-- lp_add_thread_message, which runs as the owner). Not SECURITY DEFINER: it compares who runs the insert with
-- the table's owner (a SET ROLE does not make a login the owner).
CREATE OR REPLACE FUNCTION lp_thread_row() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  me TEXT := public.lp_current_user_id();
BEGIN
  IF me IS NULL OR current_user = (SELECT r.rolname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_roles r
                                     ON r.oid = c.relowner WHERE c.oid = 'public.ticket_messages'::regclass) THEN
    RETURN NEW; -- the owner's own tools, or a function of ours
  END IF;
  IF NEW.kind NOT IN ('support', 'note') THEN RAISE EXCEPTION 'a seat writes support replies and notes only'; END IF;
  NEW.id := nextval(pg_get_serial_sequence('public.ticket_messages', 'id'));
  NEW.ts := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
  NEW.author_id := me;
  NEW.author_name := (SELECT display_name FROM public.users WHERE id = me);
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS lp_thread_row ON ticket_messages;
CREATE TRIGGER lp_thread_row BEFORE INSERT ON ticket_messages FOR EACH ROW EXECUTE FUNCTION lp_thread_row();

-- Every reply, note, status and assignee change a support or admin seat makes leaves an audit row written here,
-- by the database, under that seat's account (lp_audit takes these actions from no seat: no double, no forgery).
CREATE OR REPLACE FUNCTION lp_ticket_audit() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  me TEXT := public.lp_current_user_id();
  my_role TEXT;
  now_text TEXT := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
BEGIN
  IF me IS NULL THEN RETURN NULL; END IF; -- the owner's tools audit themselves
  SELECT role INTO my_role FROM public.users WHERE id = me;
  IF my_role NOT IN ('support', 'admin') THEN RETURN NULL; END IF;
  IF TG_TABLE_NAME = 'ticket_messages' THEN
    IF NEW.kind IN ('support', 'note') THEN
      INSERT INTO public.audit_log (ts, actor, action, target, detail)
        VALUES (now_text, my_role || ':' || me, 'ticket.' || NEW.kind, NEW.ticket_id, NEW.id::text);
    END IF;
    RETURN NULL;
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    INSERT INTO public.audit_log (ts, actor, action, target, detail)
      VALUES (now_text, my_role || ':' || me, 'ticket.status', NEW.id, NEW.status);
  END IF;
  IF NEW.assignee_id IS DISTINCT FROM OLD.assignee_id THEN
    INSERT INTO public.audit_log (ts, actor, action, target, detail)
      VALUES (now_text, my_role || ':' || me, 'ticket.assign', NEW.id, NEW.assignee_id);
  END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION lp_ticket_audit() FROM PUBLIC;
DROP TRIGGER IF EXISTS lp_ticket_audit ON ticket_messages;
CREATE TRIGGER lp_ticket_audit AFTER INSERT ON ticket_messages FOR EACH ROW EXECUTE FUNCTION lp_ticket_audit();
DROP TRIGGER IF EXISTS lp_ticket_audit ON tickets;
CREATE TRIGGER lp_ticket_audit AFTER UPDATE OF status, assignee_id ON tickets
  FOR EACH ROW EXECUTE FUNCTION lp_ticket_audit();

DO $$
DECLARE
  f TEXT;
BEGIN
  FOREACH f IN ARRAY ARRAY['lp_create_ticket(TEXT, TEXT, TEXT, TEXT, INTEGER, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT)',
      'lp_add_thread_message(TEXT, TEXT, TEXT, TEXT)', 'lp_mark_read(TEXT, BIGINT)', 'lp_rate_ticket(TEXT, TEXT, TEXT)',
      'lp_sign_in_state(TEXT)', 'lp_record_sign_in(INTEGER, TEXT)', 'lp_audit(TEXT, TEXT, TEXT)',
      'lp_current_user_id()'] LOOP
    EXECUTE 'REVOKE ALL ON FUNCTION ' || f || ' FROM PUBLIC';
    EXECUTE 'GRANT EXECUTE ON FUNCTION ' || f || ' TO lp_teacher, lp_support, lp_admin';
  END LOOP;
END $$;
