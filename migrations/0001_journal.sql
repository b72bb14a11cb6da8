-- The durable heart of deltran: every actor's events, in order, each tied to the message that
-- caused it. Actors rebuild their state from here (latest snapshot + later events), so this table
-- is the source of truth; the business tables of later migrations are read models beside it.

CREATE TABLE journal (
  actor       text        NOT NULL,
  seq         bigint      NOT NULL CHECK (seq >= 1),
  message_id  text        NOT NULL,
  type        text        NOT NULL,
  payload     jsonb       NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  -- One event per position: a second writer for the same actor (or a stale one) is refused.
  PRIMARY KEY (actor, seq),
  -- A message changes an actor at most once, even when it is redelivered or replayed.
  CONSTRAINT journal_actor_message_id_key UNIQUE (actor, message_id)
);
COMMENT ON TABLE journal IS
  'Append-only event journal: per actor a gap-free seq from 1; (actor, message_id) unique so a replayed message is refused by the database.';
COMMENT ON COLUMN journal.payload IS 'The event body; amounts are decimal strings, never JSON numbers.';

-- Recovery reads the latest snapshot of one actor; the primary key makes that an index lookup
-- (ORDER BY seq DESC LIMIT 1), and older snapshots stay for audit until they are pruned.
CREATE TABLE snapshots (
  actor    text        NOT NULL,
  seq      bigint      NOT NULL CHECK (seq >= 0),
  state    jsonb       NOT NULL,
  saved_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (actor, seq)
);
COMMENT ON TABLE snapshots IS 'Actor state as of journal seq; recovery = latest snapshot + events after it.';

-- A message that cannot be read or validated is kept with its exact bytes (not the decoded text:
-- the bytes are the evidence, including whatever made decoding fail), acknowledged, and shown
-- through the API. The stream goes on.
CREATE TABLE dead_letters (
  id           bigserial   PRIMARY KEY,
  received_at  timestamptz NOT NULL DEFAULT now(),
  source       text        NOT NULL,
  raw          bytea       NOT NULL,
  content_type text,
  errors       jsonb       NOT NULL DEFAULT '[]'::jsonb,
  message_type text,
  message_id   text
);
COMMENT ON TABLE dead_letters IS 'Inbound messages refused by the reader or validator, with raw bytes, source and findings.';
CREATE INDEX dead_letters_message_id_idx ON dead_letters (message_id) WHERE message_id IS NOT NULL;
