-- YumZoom marketplace schema. Every index names the query that needs it; an index without a query
-- is write cost without benefit.

CREATE TABLE users (
  id          BIGSERIAL PRIMARY KEY,
  email       TEXT        NOT NULL,
  name        TEXT        NOT NULL,
  city        TEXT        NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Query: Store.userByEmail -> SELECT ... FROM users WHERE lower(email) = lower(?)
-- (login and "is this email taken"); also enforces one account per address, case-insensitively.
CREATE UNIQUE INDEX users_email_lower_uq ON users (lower(email));

CREATE TABLE restaurants (
  id           BIGSERIAL PRIMARY KEY,
  name         TEXT             NOT NULL,
  cuisine      TEXT             NOT NULL,
  description  TEXT             NOT NULL DEFAULT '',
  city         TEXT             NOT NULL,
  lat          DOUBLE PRECISION NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lon          DOUBLE PRECISION NOT NULL CHECK (lon BETWEEN -180 AND 180),
  price_level  SMALLINT         NOT NULL CHECK (price_level BETWEEN 1 AND 4),
  -- Opening hours in the marketplace's time zone; closes_at < opens_at means open past midnight.
  opens_at     TIME             NOT NULL,
  closes_at    TIME             NOT NULL,
  -- Rating is maintained on every review (sum and count in the same transaction as the review), so
  -- reading or sorting by it never aggregates the reviews table.
  rating_sum   BIGINT           NOT NULL DEFAULT 0,
  rating_count INTEGER          NOT NULL DEFAULT 0,
  rating       DOUBLE PRECISION GENERATED ALWAYS AS (
                 CASE WHEN rating_count = 0 THEN 0 ELSE rating_sum::double precision / rating_count END
               ) STORED,
  -- The search vector is maintained by PostgreSQL itself (a stored generated column): every INSERT,
  -- UPDATE and COPY keeps it in step with the text it is built from.
  search_vector TSVECTOR GENERATED ALWAYS AS (
                 setweight(to_tsvector('english', coalesce(name, '')), 'A')
                 || setweight(to_tsvector('english', coalesce(cuisine, '')), 'A')
                 || setweight(to_tsvector('english', coalesce(city, '')), 'B')
                 || setweight(to_tsvector('english', coalesce(description, '')), 'C')
               ) STORED,
  created_at   TIMESTAMPTZ      NOT NULL DEFAULT now()
);
-- Query: Store.search with text -> WHERE search_vector @@ websearch_to_tsquery('english', ?)
-- (full-text search; GIN answers the @@ match without reading every row).
CREATE INDEX restaurants_search_gin ON restaurants USING gin (search_vector);
-- Query: Store.search without text, sorted by rating -> ORDER BY rating DESC, id LIMIT ?
-- (the home page "best rated"; the index hands rows over already sorted, the scan stops at LIMIT).
CREATE INDEX restaurants_rating_idx ON restaurants (rating DESC, id);
-- Query: Store.search with cuisine filter, sorted by rating ->
-- WHERE cuisine = ? ORDER BY rating DESC, id LIMIT ? (the cuisine pages).
CREATE INDEX restaurants_cuisine_rating_idx ON restaurants (cuisine, rating DESC, id);
-- Query: Store.search sorted by distance -> ORDER BY point(lon, lat) <-> point(?, ?) LIMIT ?
-- (nearest first; GiST answers the K-nearest-neighbour order without sorting the table).
CREATE INDEX restaurants_location_gist ON restaurants USING gist (point(lon, lat));

CREATE TABLE menu_items (
  id            BIGSERIAL PRIMARY KEY,
  restaurant_id BIGINT  NOT NULL REFERENCES restaurants (id),
  name          TEXT    NOT NULL,
  description   TEXT    NOT NULL DEFAULT '',
  category      TEXT    NOT NULL,
  price_cents   INTEGER NOT NULL CHECK (price_cents > 0),
  available     BOOLEAN NOT NULL DEFAULT true
);
-- Query: Store.menu -> SELECT ... FROM menu_items WHERE restaurant_id = ? ORDER BY category, id
-- (every restaurant page; also serves the foreign key check when restaurants change).
CREATE INDEX menu_items_restaurant_idx ON menu_items (restaurant_id, category, id);

CREATE TABLE cart_items (
  user_id      BIGINT  NOT NULL REFERENCES users (id),
  menu_item_id BIGINT  NOT NULL REFERENCES menu_items (id),
  quantity     INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 50),
  added_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- Query: Store.cart -> WHERE user_id = ? (the primary key's leading column).
  PRIMARY KEY (user_id, menu_item_id)
);

CREATE TABLE orders (
  id               BIGSERIAL PRIMARY KEY,
  user_id          BIGINT      NOT NULL REFERENCES users (id),
  restaurant_id    BIGINT      NOT NULL REFERENCES restaurants (id),
  status           TEXT        NOT NULL
                   CHECK (status IN ('placed', 'accepted', 'preparing', 'delivered', 'cancelled')),
  total_cents      BIGINT      NOT NULL CHECK (total_cents >= 0),
  idempotency_key  TEXT,
  request_hash     TEXT,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Query: Store.placeOrder replay check -> WHERE user_id = ? AND idempotency_key = ?
-- (a retried POST finds the order it created; unique so two racing retries cannot both insert).
CREATE UNIQUE INDEX orders_idempotency_uq ON orders (user_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
-- Query: Store.statistics -> WHERE restaurant_id = ? AND created_at >= ? aggregating status and
-- total_cents. INCLUDE makes it an index-only scan: the heap of 100k+ orders is never read.
CREATE INDEX orders_restaurant_created_idx ON orders (restaurant_id, created_at)
  INCLUDE (status, total_cents);
-- Query: Store.ordersOfUser -> WHERE user_id = ? ORDER BY created_at DESC LIMIT ? (order history).
CREATE INDEX orders_user_created_idx ON orders (user_id, created_at DESC);

CREATE TABLE order_items (
  order_id         BIGINT  NOT NULL REFERENCES orders (id),
  menu_item_id     BIGINT  NOT NULL REFERENCES menu_items (id),
  quantity         INTEGER NOT NULL CHECK (quantity > 0),
  unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents > 0),
  -- Query: Store.order -> SELECT ... FROM order_items WHERE order_id = ? (the key's leading column).
  PRIMARY KEY (order_id, menu_item_id)
);

CREATE TABLE reviews (
  id            BIGSERIAL PRIMARY KEY,
  restaurant_id BIGINT      NOT NULL REFERENCES restaurants (id),
  user_id       BIGINT      NOT NULL REFERENCES users (id),
  order_id      BIGINT      REFERENCES orders (id),
  rating        SMALLINT    NOT NULL CHECK (rating BETWEEN 1 AND 5),
  comment       TEXT        NOT NULL DEFAULT '',
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Query: Store.reviews -> WHERE restaurant_id = ? ORDER BY created_at DESC, id DESC LIMIT ?
-- (newest reviews on the restaurant page).
CREATE INDEX reviews_restaurant_created_idx ON reviews (restaurant_id, created_at DESC, id DESC);
-- Query: Store.addReview -> WHERE order_id = ? (one review per order; unique makes a retried review
-- a conflict instead of a double-counted rating).
CREATE UNIQUE INDEX reviews_order_uq ON reviews (order_id) WHERE order_id IS NOT NULL;
