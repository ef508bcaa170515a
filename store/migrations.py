"""Schema migrations. Never edit one that has shipped: add a new function."""

from __future__ import annotations

import sqlite_utils

from store.dialect import ddl

migrations = sqlite_utils.Migrations("barta")


def _run(db: sqlite_utils.Database, script: str) -> None:
    # executescript() would COMMIT the migration's transaction first; run one by one.
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(ddl(statement) if getattr(db, "is_postgres", False) else statement)


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    """Conversations, their log, inbox, outbox, handoff queue, staff."""
    _run(
        db,
        """
        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            psid TEXT NOT NULL UNIQUE,
            name TEXT,
            language TEXT,
            flow TEXT,                      -- the flow waiting for an answer, by id
            step TEXT,                      -- the question waiting for an answer, by id
            answers TEXT NOT NULL DEFAULT '{}',
            score INTEGER NOT NULL DEFAULT 0,
            stage TEXT NOT NULL DEFAULT 'new',
            retries INTEGER NOT NULL DEFAULT 0,
            bot_paused INTEGER NOT NULL DEFAULT 0,
            opted_out INTEGER NOT NULL DEFAULT 0,
            unreachable INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL DEFAULT '{}',
            state TEXT NOT NULL DEFAULT '{}', -- small engine memory: flows done, language locked
            window_note TEXT,               -- e.g. 'window_closed' when a follow-up could not go
            followups_sent INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            last_customer_at REAL,          -- opens Messenger's 24-hour window
            last_bot_at REAL,
            last_staff_at REAL
        );
        -- no index on updated_at: it changes with every message, and each index costs a
        -- page write per message (bench/engine.py); staff lists sort a few thousand rows
        CREATE INDEX conversations_stage ON conversations(stage);

        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            direction TEXT NOT NULL,        -- in | out
            sender TEXT NOT NULL,           -- customer | bot | staff | page
            author TEXT,                    -- staff name for staff messages
            text TEXT,
            data TEXT,                      -- JSON: quick replies, attachments, cards
            mid TEXT,
            outbox_id INTEGER,
            at REAL NOT NULL
        );
        CREATE INDEX messages_conversation ON messages(conversation_id, id);
        CREATE INDEX messages_mid ON messages(mid) WHERE mid IS NOT NULL;

        CREATE TABLE inbox (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,       -- the dedupe key: mid, or sender+time+kind
            psid TEXT NOT NULL,
            kind TEXT NOT NULL,
            event TEXT NOT NULL,            -- JSON of the parsed event
            status TEXT NOT NULL DEFAULT 'pending',  -- pending | done | failed
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            received_at REAL NOT NULL,
            done_at REAL
        );
        -- partial indexes hold only the pending rows: small and hot
        CREATE INDEX inbox_pending ON inbox(id) WHERE status = 'pending';
        CREATE INDEX inbox_psid ON inbox(psid, id) WHERE status = 'pending';

        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER REFERENCES conversations(id),
            psid TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'message',   -- message | action
            body TEXT NOT NULL,             -- JSON for the Send API, without recipient
            sender TEXT NOT NULL DEFAULT 'bot',     -- bot | staff | followup
            status TEXT NOT NULL DEFAULT 'pending', -- pending | sent | failed | kept
            attempts INTEGER NOT NULL DEFAULT 0,
            next_at REAL NOT NULL,
            created_at REAL NOT NULL,
            sent_at REAL,
            message_id TEXT,
            error_code INTEGER,
            error_subcode INTEGER,
            error TEXT
        );
        CREATE INDEX outbox_due ON outbox(next_at) WHERE status = 'pending';
        CREATE INDEX outbox_psid ON outbox(psid, id) WHERE status = 'pending';
        CREATE INDEX outbox_message_id ON outbox(message_id) WHERE message_id IS NOT NULL;

        CREATE TABLE stage_changes (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            from_stage TEXT,
            to_stage TEXT NOT NULL,
            cause TEXT NOT NULL,            -- flow step, intent, staff name, ...
            at REAL NOT NULL
        );
        CREATE INDEX stage_changes_conversation ON stage_changes(conversation_id, id);
        CREATE INDEX stage_changes_to ON stage_changes(to_stage);

        CREATE TABLE queue (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            reason TEXT NOT NULL,
            priority INTEGER NOT NULL DEFAULT 0,    -- 1 = high (complaints, returns)
            status TEXT NOT NULL DEFAULT 'waiting', -- waiting | claimed | released | resolved
            claimed_by TEXT,
            created_at REAL NOT NULL,
            claimed_at REAL,
            closed_at REAL,
            first_response_at REAL,
            answer_by REAL                  -- when staff will answer, if outside hours
        );
        -- the database, not the page, keeps one open handoff per conversation
        CREATE UNIQUE INDEX queue_open ON queue(conversation_id)
            WHERE status IN ('waiting', 'claimed');
        CREATE INDEX queue_status ON queue(status, priority, created_at);

        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            author TEXT NOT NULL,
            text TEXT NOT NULL,
            at REAL NOT NULL
        );
        CREATE INDEX notes_conversation ON notes(conversation_id);

        CREATE TABLE labels (
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            label TEXT NOT NULL,
            at REAL NOT NULL,
            PRIMARY KEY (conversation_id, label)
        );
        CREATE INDEX labels_label ON labels(label);

        CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL DEFAULT 'agent',     -- owner | agent
            password_hash TEXT NOT NULL,
            created_at REAL NOT NULL
        );

        CREATE TABLE tokens (
            id INTEGER PRIMARY KEY,
            staff_id INTEGER NOT NULL REFERENCES staff(id),
            token_hash TEXT NOT NULL UNIQUE,
            created_at REAL NOT NULL,
            last_used_at REAL
        );
        """,
    )


@migrations()
def m002_followups(db: sqlite_utils.Database) -> None:
    """Follow-ups: one row per rule and silence, claimed before anything is queued."""
    _run(
        db,
        """
        CREATE TABLE followups (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            rule TEXT NOT NULL,             -- the followups: rule, by id
            anchor REAL NOT NULL,           -- last_customer_at: the silence it belongs to
            status TEXT NOT NULL,           -- queued | skipped | cancelled
            reason TEXT,                    -- why skipped: window_closed, quiet_hours, limit, ...
            outbox_id INTEGER REFERENCES outbox(id),
            at REAL NOT NULL,
            -- two schedulers (threads or processes) can never both send one follow-up
            UNIQUE (conversation_id, rule, anchor)
        );
        CREATE INDEX followups_outbox ON followups(outbox_id) WHERE outbox_id IS NOT NULL;
        """,
    )


@migrations()
def m003_security(db: sqlite_utils.Database) -> None:
    """Revocable access: a session version per account (bumped to end every session of
    it), and API tokens that expire or are revoked."""
    _run(
        db,
        """
        ALTER TABLE staff ADD COLUMN session_version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE tokens ADD COLUMN expires_at REAL;
        ALTER TABLE tokens ADD COLUMN revoked_at REAL
        """,
    )


@migrations()
def m004_takeover(db: sqlite_utils.Database) -> None:
    """Human takeover: unread handoffs with a preview, the order count, stage 'not sent'."""
    _run(
        db,
        """
        ALTER TABLE queue ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;
        -- the preview of the last customer message, and when it came
        ALTER TABLE queue ADD COLUMN last_message TEXT;
        ALTER TABLE queue ADD COLUMN last_customer_at REAL;
        ALTER TABLE conversations ADD COLUMN orders INTEGER NOT NULL DEFAULT 0
        """,
    )


@migrations()
def m005_names(db: sqlite_utils.Database) -> None:
    """The customer's name and picture: fetched in the background, or set by staff."""
    _run(
        db,
        """
        ALTER TABLE conversations ADD COLUMN picture TEXT;
        -- when the name was last looked up (also after a failure: retried a day later)
        ALTER TABLE conversations ADD COLUMN name_checked_at REAL;
        -- where the name came from: profile | participants | staff | simulator
        ALTER TABLE conversations ADD COLUMN name_source TEXT;
        ALTER TABLE conversations ADD COLUMN name_error TEXT
        """,
    )


@migrations()
def m006_channels(db: sqlite_utils.Database) -> None:
    """One inbox: the channel of each conversation, replies that are not Send API messages
    (private replies to comments, public comment replies, hiding), and Page comments."""
    _run(
        db,
        """
        -- messenger | instagram
        ALTER TABLE conversations ADD COLUMN channel TEXT NOT NULL DEFAULT 'messenger';
        -- where the sender posts the row (NULL: me/messages to the row's psid) and to whom
        -- (JSON, e.g. {"comment_id": "…"} for a private reply)
        ALTER TABLE outbox ADD COLUMN endpoint TEXT;
        ALTER TABLE outbox ADD COLUMN recipient TEXT;
        CREATE TABLE comments (
            id INTEGER PRIMARY KEY,
            comment_id TEXT NOT NULL UNIQUE,
            channel TEXT NOT NULL,          -- facebook | instagram
            page_id TEXT NOT NULL DEFAULT '',
            post_id TEXT NOT NULL DEFAULT '',
            parent_id TEXT,
            from_id TEXT,                   -- Meta's id of the commenter (not a PSID on Facebook)
            from_name TEXT,
            text TEXT,
            permalink TEXT,
            created_at REAL NOT NULL,       -- when the comment was written (Meta's time)
            received_at REAL NOT NULL,
            -- new | replying | replied | skipped | failed | deleted | own
            status TEXT NOT NULL DEFAULT 'new',
            reason TEXT,                    -- why skipped or failed: no_rule, too_old, 10900 …
            rule INTEGER,                   -- the comments: rule that answered it (0-based)
            flow TEXT,                      -- the flow to run when the customer answers
            language TEXT,
            hidden INTEGER NOT NULL DEFAULT 0,
            psid TEXT,                      -- learnt from the private reply's answer
            conversation_id INTEGER REFERENCES conversations(id),
            private_outbox_id INTEGER REFERENCES outbox(id),
            public_outbox_id INTEGER REFERENCES outbox(id),
            public_reply_id TEXT            -- the id of our public reply
        );
        CREATE INDEX comments_conversation ON comments(conversation_id)
            WHERE conversation_id IS NOT NULL;
        CREATE INDEX comments_post ON comments(post_id)
        """,
    )


@migrations()
def m007_pages(db: sqlite_utils.Database) -> None:
    """Several Pages in one deployment: each with its own token, flows and name; every
    conversation and reply knows its Page, and staff may be limited to some Pages."""
    _run(
        db,
        """
        CREATE TABLE pages (
            page_id TEXT PRIMARY KEY,       -- the Facebook Page id (entry[].id)
            name TEXT,
            token TEXT,                     -- the Page access token (never shown or logged)
            flows TEXT,                     -- the Page's flows file; NULL: BOT_FLOWS
            instagram_id TEXT,              -- the Instagram account linked to the Page
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE UNIQUE INDEX pages_instagram ON pages(instagram_id) WHERE instagram_id IS NOT NULL;
        -- '' for the Page of MESSENGER_PAGE_TOKEN (and the simulator's customers)
        ALTER TABLE conversations ADD COLUMN page_id TEXT NOT NULL DEFAULT '';
        CREATE INDEX conversations_page ON conversations(page_id, updated_at);
        -- the Page whose token sends the row
        ALTER TABLE outbox ADD COLUMN page_id TEXT NOT NULL DEFAULT '';
        -- JSON list of the Page ids the account may work on; NULL: every Page
        ALTER TABLE staff ADD COLUMN pages TEXT
        """,
    )


@migrations()
def m008_login_failures(db: sqlite_utils.Database) -> None:
    """Failed staff logins in the database, so the limit holds across every process."""
    _run(
        db,
        """
        CREATE TABLE login_failures (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,              -- 'name:' + the name tried, or 'addr:' + the address
            at REAL NOT NULL                -- when (epoch seconds); older than the window: pruned
        );
        CREATE INDEX login_failures_key ON login_failures(key, at);
        CREATE INDEX login_failures_at ON login_failures(at)
        """,
    )


@migrations()
def m009_pictures(db: sqlite_utils.Database) -> None:
    """Customers' profile pictures kept as bytes (Meta's picture links expire within days),
    in the database so that every server of a deployment can show them."""
    _run(
        db,
        """
        CREATE TABLE pictures (
            -- NOT NULL: no identity column on PostgreSQL, the id is the conversation's
            conversation_id INTEGER NOT NULL PRIMARY KEY REFERENCES conversations(id),
            content_type TEXT NOT NULL,     -- image/jpeg | image/png | image/webp | image/gif
            data BLOB NOT NULL,             -- at most store.pictures.LIMIT bytes
            etag TEXT NOT NULL,             -- a hash of data: the HTTP ETag
            fetched_at REAL NOT NULL
        )
        """,
    )
