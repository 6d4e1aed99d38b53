-- Orleans ADO.NET providers, part 4 of 4: durable reminders (Microsoft.Orleans.Reminders.AdoNet 10.4.2).
--
-- One row per reminder of a grain. Each silo owns a range of the grain-hash ring and loads the reminders of its range
-- (ReadRangeRows1Key / ReadRangeRows2Key). Version is the ETag: an upsert bumps it, a delete must name the current one.
--
-- Query keys the provider asks for: ReadReminderRowsKey, ReadRangeRows1Key, ReadRangeRows2Key, ReadReminderRowKey,
-- UpsertReminderRowKey, DeleteReminderRowKey, DeleteReminderRowsKey.

CREATE TABLE OrleansRemindersTable
(
    ServiceId     varchar(150)   NOT NULL,
    -- The grain id as text ("type/key"). TaskService grain keys can be long (event keys up to 500 characters), so this
    -- is wider than Orleans' own script.
    GrainId       varchar(1024)  NOT NULL,
    ReminderName  varchar(150)   NOT NULL,
    StartTime     timestamptz(3) NOT NULL,   -- first tick
    Period        bigint         NOT NULL,   -- milliseconds between ticks
    GrainHash     integer        NOT NULL,   -- the grain's uniform hash, its place on the ring (unsigned, stored as signed)
    Version       integer        NOT NULL,

    CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

-- Range loads by the owning silo.
CREATE INDEX IX_RemindersTable_ServiceId_GrainHash ON OrleansRemindersTable (ServiceId, GrainHash);

-- Inserts a reminder with version 0 or replaces its schedule, bumping the version. Returns the new version.
CREATE FUNCTION upsert_reminder_row(
    ServiceIdArg     varchar,
    GrainIdArg       varchar,
    ReminderNameArg  varchar,
    StartTimeArg     timestamptz,
    PeriodArg        bigint,
    GrainHashArg     integer)
RETURNS TABLE (version integer)
LANGUAGE plpgsql
AS $$
DECLARE
    new_version integer;
BEGIN
    INSERT INTO OrleansRemindersTable AS r
        (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
    VALUES
        (ServiceIdArg, GrainIdArg, ReminderNameArg, StartTimeArg, PeriodArg, GrainHashArg, 0)
    ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
        SET StartTime = excluded.StartTime,
            Period = excluded.Period,
            GrainHash = excluded.GrainHash,
            Version = r.Version + 1
    RETURNING r.Version INTO STRICT new_version;

    RETURN QUERY SELECT new_version;
END
$$;

-- Deletes a reminder if the caller's version is current. Returns 1 when it deleted the row, 0 otherwise.
CREATE FUNCTION delete_reminder_row(
    ServiceIdArg     varchar,
    GrainIdArg       varchar,
    ReminderNameArg  varchar,
    VersionArg       integer)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql
AS $$
DECLARE
    deleted integer;
BEGIN
    DELETE FROM OrleansRemindersTable
    WHERE ServiceId = ServiceIdArg
      AND GrainId = GrainIdArg
      AND ReminderName = ReminderNameArg
      AND Version = VersionArg;

    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN QUERY SELECT deleted;
END
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    -- @Period arrives as int or bigint depending on its size; the cast picks the one function above.
    'UpsertReminderRowKey',
    $sql$SELECT version AS Version
FROM upsert_reminder_row(@ServiceId, @GrainId, @ReminderName, @StartTime, @Period::bigint, @GrainHash);$sql$
),
(
    -- Every reminder of one grain.
    'ReadReminderRowsKey',
    $sql$SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId
  AND GrainId = @GrainId;$sql$
),
(
    -- One reminder of one grain.
    'ReadReminderRowKey',
    $sql$SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId
  AND GrainId = @GrainId
  AND ReminderName = @ReminderName;$sql$
),
(
    -- A ring range that does not wrap around (as signed integers, @BeginHash < @EndHash): (begin, end].
    'ReadRangeRows1Key',
    $sql$SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId
  AND GrainHash > @BeginHash
  AND GrainHash <= @EndHash;$sql$
),
(
    -- A ring range that wraps around: (begin, max] and [min, end].
    'ReadRangeRows2Key',
    $sql$SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId
  AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);$sql$
),
(
    'DeleteReminderRowKey',
    $sql$SELECT row_count FROM delete_reminder_row(@ServiceId, @GrainId, @ReminderName, @Version);$sql$
),
(
    -- Every reminder of the service (used by tests and tooling).
    'DeleteReminderRowsKey',
    $sql$DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;$sql$
);
