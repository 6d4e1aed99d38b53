-- An event waiting for its workflows to be started is a row of main.unrouted_events, written in the statement that records
-- the event and deleted once the event is routed. Routing used to set events.routed_on instead: an update that wrote the
-- whole event again (payload included) with an entry in each of its indexes, since the column was in an index's predicate.
-- A delete only marks the narrow row, and the event row is written once. The sweeper that routes again what a stopped silo
-- left reads the few rows of this table.

CREATE TABLE main.unrouted_events (
    id           varchar(200)  NOT NULL,
    "timestamp"  bigint        NOT NULL,
    CONSTRAINT pk_unrouted_events PRIMARY KEY (id)
);

INSERT INTO main.unrouted_events (id, "timestamp")
SELECT id, "timestamp" FROM main.events WHERE routed_on IS NULL;

DROP INDEX main.ix_events_unrouted;
ALTER TABLE main.events DROP COLUMN routed_on;
