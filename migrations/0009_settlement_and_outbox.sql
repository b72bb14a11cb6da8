-- Settlement of clearing windows (issue 5, adapters/settlement/): the delivery status of each
-- settlement instruction at the bank, its history, and the outbox of messages deltran sends back
-- to participants (pacs.002). The 0004 `settlement_instructions` table keys windows by a bigserial;
-- windows are named `W20261201T0600Z` (actors/clearing/schedule.ts) and instructions
-- `W20261201T0600Z-USD-1`, so the settler keeps its own rows under those names.

-- One row per instruction, written PENDING before anything is sent: after a crash the row says
-- what to resume, and everything a resend needs (the document, the UETR, the accounts) is in it,
-- so a resend is the same request under the same idempotency key (the instruction id).
CREATE TABLE settlement_instruction_status (
  instruction_id  text        PRIMARY KEY,
  window_id       text        NOT NULL,
  payer_bic       text        NOT NULL,
  payee_bic       text        NOT NULL,
  currency        char(3)     NOT NULL,
  amount          numeric     NOT NULL CHECK (amount > 0),
  message_type    text        NOT NULL CHECK (message_type IN ('pacs.009', 'pacs.008')),
  uetr            uuid        NOT NULL UNIQUE,
  end_to_end_id   text        NOT NULL,
  -- `[bank:]account` resolved from participants.settlement_account when the plan was stored;
  -- null when the participant had none (the instruction then fails with that reason).
  bank            text,
  payer_account   jsonb,
  payee_account   jsonb,
  document        text,
  status          text        NOT NULL DEFAULT 'PENDING' CHECK (status IN
                    ('PENDING', 'SENT', 'CONFIRMED', 'FAILED', 'RETRY_NEXT_WINDOW')),
  bank_reference  text,
  reason          text,
  attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- A TIMEOUT was answered at least once: the bank may have booked it (only the same key tells).
  in_doubt        boolean     NOT NULL DEFAULT false,
  -- Token movement on confirmation (adapters/settlement/token-moves.ts).
  token_state     text        NOT NULL DEFAULT 'NONE' CHECK (token_state IN ('NONE', 'PENDING', 'MOVED', 'SHORT', 'REFUSED')),
  token_amount    numeric     CHECK (token_amount >= 0),
  token_note      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (payer_bic <> payee_bic)
);
COMMENT ON TABLE settlement_instruction_status IS 'Each settlement instruction of a window at its bank: PENDING -> SENT -> CONFIRMED | FAILED | RETRY_NEXT_WINDOW.';
CREATE INDEX settlement_instruction_status_window_idx ON settlement_instruction_status (window_id);
-- Start-up and resume read only what is not final yet.
CREATE INDEX settlement_instruction_status_open_idx ON settlement_instruction_status (status)
  WHERE status <> 'CONFIRMED' OR token_state = 'PENDING';

CREATE TABLE settlement_instruction_events (
  id              bigserial   PRIMARY KEY,
  instruction_id  text        NOT NULL REFERENCES settlement_instruction_status (instruction_id),
  from_status     text,
  to_status       text        NOT NULL,
  bank_reference  text,
  reason          text,
  at              timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE settlement_instruction_events IS 'Every status change of a settlement instruction, written with the change.';
CREATE INDEX settlement_instruction_events_instruction_idx ON settlement_instruction_events (instruction_id, id);

-- Messages to participants, durable before they are published or read: a participant pages
-- through its own with `after=<id>`. A pacs.002 reports each obligation (`subjects`) of an original
-- message at most once per `stage` (ACCP, RJCT, ACSC:<window>, FAIL:<window>): writers check the
-- earlier rows under an advisory lock per (recipient, original message), and `dedupe_key` makes the
-- same report written twice one row.
CREATE TABLE outbound_messages (
  id                   bigserial   PRIMARY KEY,
  recipient            text        NOT NULL,
  message_type         text        NOT NULL,
  message_id           text        NOT NULL UNIQUE,
  dedupe_key           text        NOT NULL UNIQUE,
  original_message_id  text,
  stage                text        NOT NULL,
  -- ACCP, ACSC, RJCT (PART when mixed): the transactions' status.
  status               text,
  -- The obligation ids the document reports on.
  subjects             text[]      NOT NULL DEFAULT '{}',
  body                 text        NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  published_at         timestamptz
);
COMMENT ON TABLE outbound_messages IS 'Outbox of ISO 20022 messages to participants (pacs.002), read by GET /api/v1/participants/{bic}/messages.';
CREATE INDEX outbound_messages_recipient_idx ON outbound_messages (recipient, message_type, id);
CREATE INDEX outbound_messages_original_idx ON outbound_messages (recipient, original_message_id, stage);
CREATE INDEX outbound_messages_unpublished_idx ON outbound_messages (id) WHERE published_at IS NULL;
