-- Service lines, toll-free numbers, agents, customers, purchases and 三包 terms, tickets.
-- Values the seeds leave blank or contradict (domain.md §13) are rows or settings, never constants.

CREATE TABLE settings (
    key         text PRIMARY KEY,
    value       jsonb NOT NULL,
    description text,
    source      text,                      -- seed citation or "(D)" for our design default
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text
);

CREATE TABLE service_lines (
    id                     serial PRIMARY KEY,
    code                   text NOT NULL UNIQUE,          -- repairs, complaints, enquiries ...
    name_zh                text NOT NULL,
    name_en                text NOT NULL,
    welcome_prompt         text,                          -- WAV file name under the prompts folder
    answer_within_seconds  int  NOT NULL DEFAULT 15 CHECK (answer_within_seconds > 0),  -- "3 rings", §13 #9
    max_wait_seconds       int  NOT NULL DEFAULT 180 CHECK (max_wait_seconds > 0),      -- then offer a callback
    ring_timeout_seconds   int  NOT NULL DEFAULT 20 CHECK (ring_timeout_seconds > 0),
    answer_rate_goal       numeric(4,3) NOT NULL DEFAULT 0.85,                           -- 001 L303
    active                 boolean NOT NULL DEFAULT true,
    created_at             timestamptz NOT NULL DEFAULT now()
);

-- Dialed number (Request-URI user, digits only) -> service line (DNIS map).
CREATE TABLE toll_free_numbers (
    number          text PRIMARY KEY CHECK (number ~ '^[0-9]{3,20}$'),
    service_line_id int  NOT NULL REFERENCES service_lines(id),
    description     text,
    active          boolean NOT NULL DEFAULT true
);

CREATE TABLE teams (
    id   serial PRIMARY KEY,
    name text NOT NULL UNIQUE
);

CREATE TABLE agents (
    id               serial PRIMARY KEY,
    username         text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9._-]{1,64}$'),
    display_name     text NOT NULL,
    employee_no      text UNIQUE,                          -- 工号, shown to the agent (003 L821)
    roles            text[] NOT NULL DEFAULT '{agent}'
                     CHECK (roles <@ ARRAY['agent','supervisor','qa','admin']::text[]),
    team_id          int REFERENCES teams(id),
    password_hash    text,                                 -- ASP.NET Core PasswordHasher v3
    failed_logins    int NOT NULL DEFAULT 0,
    locked_until     timestamptz,
    -- SIP digest credentials for the agent's phones, hashed at rest (HA1 per algorithm, RFC 8760).
    sip_username     text UNIQUE,
    sip_realm        text,
    sip_ha1_md5      text,
    sip_ha1_sha256   text,
    state            text NOT NULL DEFAULT 'offline'
                     CHECK (state IN ('offline','available','ringing','on_call','wrap_up','break')),
    state_changed_at timestamptz NOT NULL DEFAULT now(),
    last_call_ended_at timestamptz,                        -- longest-idle routing
    hired_on         date,                                 -- new agents are sampled more by QA
    active           boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agent_skills (
    agent_id        int NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    service_line_id int NOT NULL REFERENCES service_lines(id) ON DELETE CASCADE,
    level           int NOT NULL DEFAULT 1 CHECK (level BETWEEN 1 AND 5),
    PRIMARY KEY (agent_id, service_line_id)
);

-- SIP registrations; several devices per agent. Shared by every node (the database is the truth).
CREATE TABLE agent_registrations (
    id          bigserial PRIMARY KEY,
    agent_id    int  NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    contact_uri text NOT NULL,
    source      text NOT NULL,                             -- transport/ip:port the REGISTER came from
    user_agent  text,
    node        text NOT NULL,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (agent_id, contact_uri)
);
CREATE INDEX agent_registrations_expiry ON agent_registrations (expires_at);

CREATE TABLE agent_state_changes (
    id         bigserial PRIMARY KEY,
    agent_id   int NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    state      text NOT NULL,
    reason     text,
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_state_changes_agent ON agent_state_changes (agent_id, changed_at);

CREATE TABLE customers (
    id               bigserial PRIMARY KEY,
    name             text NOT NULL,
    surname          text,                                  -- for "王先生/王女士"
    honorific        text CHECK (honorific IN ('先生','女士')),
    address          text,
    postcode         text,
    vip_tier         text NOT NULL DEFAULT 'none' CHECK (vip_tier IN ('none','silver','gold','key_account')),
    elderly          boolean NOT NULL DEFAULT false,
    stop_calling     boolean NOT NULL DEFAULT false,        -- "不用再来电话了" (003 L53)
    do_not_call      boolean NOT NULL DEFAULT false,
    time_zone        text NOT NULL DEFAULT 'Asia/Shanghai',
    preferred_call_start time,
    preferred_call_end   time,
    notes            text,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customer_phones (
    id           bigserial PRIMARY KEY,
    customer_id  bigint NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    number       text NOT NULL CHECK (number ~ '^\+?[0-9]{3,20}$'),
    kind         text NOT NULL DEFAULT 'mobile' CHECK (kind IN ('mobile','home','work','other')),
    is_preferred boolean NOT NULL DEFAULT false,
    verified     boolean NOT NULL DEFAULT false,            -- callbacks dial verified numbers only
    UNIQUE (customer_id, number)
);
CREATE INDEX customer_phones_number ON customer_phones (number);

-- 三包 terms per product category; 000 L30-34 for handsets, 003 L2827-L2831 for PCs (§13 #4).
CREATE TABLE product_categories (
    code             text PRIMARY KEY,
    name_zh          text NOT NULL,
    return_days      int  NOT NULL CHECK (return_days >= 0),
    exchange_days    int  NOT NULL CHECK (exchange_days >= 0),
    warranty_months  int  NOT NULL CHECK (warranty_months >= 0),
    depreciation_per_day numeric(6,4),                      -- 0.5 %/day for handsets (000 L34)
    no_reason_return boolean NOT NULL DEFAULT true,         -- 002 §一 第23条 excludes some categories
    source           text
);

CREATE TABLE accessory_terms (
    category_code   text NOT NULL REFERENCES product_categories(code) ON DELETE CASCADE,
    accessory       text NOT NULL,                          -- battery, charger, earphone ...
    name_zh         text NOT NULL,
    warranty_months int  NOT NULL CHECK (warranty_months >= 0),
    source          text,
    PRIMARY KEY (category_code, accessory)
);

CREATE TABLE purchases (
    id                 bigserial PRIMARY KEY,
    customer_id        bigint NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    category_code      text NOT NULL REFERENCES product_categories(code),
    brand              text,
    model              text NOT NULL,
    imei_or_serial     text,
    network_scramble_code text,                             -- 進網標志擾碼號
    sale_date          date NOT NULL,                       -- 三包 counts from the sale date (000 L42-44)
    activation_date    date,                                -- mismatch with sale_date is flagged
    invoice_no         text,
    seller_name        text,
    seller_address     text,
    seller_phone       text,
    price              numeric(12,2),
    is_demo_unit       boolean NOT NULL DEFAULT false,
    is_contract        boolean NOT NULL DEFAULT false,      -- 協議機 (000 L56, L122-124)
    warranty_extension_days int NOT NULL DEFAULT 0 CHECK (warranty_extension_days >= 0),  -- 000 L74-76
    imei_status        text NOT NULL DEFAULT 'normal' CHECK (imei_status IN ('normal','returned_faulty','resale_blocked')),
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchases_customer ON purchases (customer_id);
CREATE INDEX purchases_imei ON purchases (imei_or_serial);

CREATE TABLE purchase_accessories (
    id             bigserial PRIMARY KEY,
    purchase_id    bigint NOT NULL REFERENCES purchases(id) ON DELETE CASCADE,
    accessory      text NOT NULL,
    serial_or_batch text
);

CREATE TABLE repair_orders (
    id               bigserial PRIMARY KEY,
    order_no         text NOT NULL UNIQUE,
    customer_id      bigint NOT NULL REFERENCES customers(id),
    purchase_id      bigint REFERENCES purchases(id),
    status           text NOT NULL DEFAULT 'received'
                     CHECK (status IN ('received','diagnosing','awaiting_quote','repairing','quality_check',
                                       'ready_for_pickup','picked_up','closed','cancelled')),
    channel          text NOT NULL DEFAULT 'desk' CHECK (channel IN ('desk','on_site','mail_in')),
    fault_description text NOT NULL,                        -- 故障現象
    fault_category   text,
    reproduced       boolean,
    man_made_damage  boolean,                               -- decides in/out-of-warranty path (000 L82-84)
    in_warranty      boolean,
    remedy_chosen    text CHECK (remedy_chosen IN ('return','exchange','repair')),   -- recorded before repair within 7/15 days
    backup_reminded  boolean,
    loaner_issued    boolean NOT NULL DEFAULT false,
    sent_to_factory  boolean NOT NULL DEFAULT false,
    technician       text,
    visit_count      int NOT NULL DEFAULT 0,
    quote_amount     numeric(12,2),
    paid             boolean NOT NULL DEFAULT false,
    promised_at      timestamptz,                           -- promised completion (ETA)
    ready_at         timestamptz,
    picked_up_at     timestamptz,
    owner_agent_id   int REFERENCES agents(id),             -- 首問負責制 (000 L92)
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX repair_orders_customer ON repair_orders (customer_id);
CREATE INDEX repair_orders_open ON repair_orders (status) WHERE status NOT IN ('closed','cancelled','picked_up');

CREATE TABLE complaints (
    id                     bigserial PRIMARY KEY,
    complaint_no           text NOT NULL UNIQUE,
    customer_id            bigint NOT NULL REFERENCES customers(id),
    repair_order_id        bigint REFERENCES repair_orders(id),
    channel                text NOT NULL DEFAULT 'phone' CHECK (channel IN ('phone','email','online','letter','in_person','external')),
    external_body          text,                            -- 媒体, 12315, 消协 ...
    problem_type           text NOT NULL DEFAULT 'service' CHECK (problem_type IN ('service','product','pricing','other')),  -- 000 L22
    cause_class            text CHECK (cause_class IN ('customer','environment','product','staff')),                  -- 000 L20-28
    category               text,
    severity               text NOT NULL DEFAULT 'S3' CHECK (severity IN ('S1','S2','S3')),
    expected_outcome       text CHECK (expected_outcome IN ('inform','correct','compensate')),
    summary                text NOT NULL,
    customer_request       text,
    status                 text NOT NULL DEFAULT 'open' CHECK (status IN ('open','in_progress','resolved','closed')),
    valid                  boolean,                          -- recorded, never used to drop counts (§13 #14)
    responsible_department text,
    handler_agent_id       int REFERENCES agents(id),
    escalation_flags       text[] NOT NULL DEFAULT '{}',     -- safety, legal, media, churn, manager
    compensation           text,
    root_cause             text,
    lessons_learned        text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    first_response_due_at  timestamptz NOT NULL,             -- 24 h (004 L257)
    first_responded_at     timestamptz,
    resolution_due_at      timestamptz NOT NULL,             -- 3 working days (004 L257)
    resolved_at            timestamptz,
    closed_at              timestamptz
);
CREATE INDEX complaints_customer ON complaints (customer_id);
CREATE INDEX complaints_open ON complaints (status) WHERE status IN ('open','in_progress');

-- Working-day calendar: public holidays and 调休 make-up workdays (§13 #11), editable.
CREATE TABLE calendar_days (
    day   date PRIMARY KEY,
    kind  text NOT NULL CHECK (kind IN ('holiday','workday')),
    name  text NOT NULL
);

CREATE TABLE business_hours (
    service_line_id int REFERENCES service_lines(id) ON DELETE CASCADE,  -- NULL = hotline default
    weekday         int NOT NULL CHECK (weekday BETWEEN 0 AND 6),        -- 0 = Sunday
    opens           time NOT NULL,
    closes          time NOT NULL CHECK (closes > opens),
    UNIQUE (service_line_id, weekday)
);
