-- Orleans ADO.NET providers, part 2 of 4: cluster membership (Microsoft.Orleans.Clustering.AdoNet 10.4.2).
--
-- Silos find each other through these two tables. Every change to the membership table is guarded by the version row of
-- the deployment (optimistic concurrency): a writer passes the version it last read, and the change applies only if the
-- version is still that one, bumping it in the same transaction. A silo whose write did not apply re-reads and retries.
--
-- Query keys the provider asks for: UpdateIAmAlivetimeKey, InsertMembershipVersionKey, InsertMembershipKey,
-- UpdateMembershipKey, MembershipReadRowKey, MembershipReadAllKey, DeleteMembershipTableEntriesKey, GatewaysQueryKey,
-- CleanupDefunctSiloEntriesKey, and (optional, used when present) CleanupDefunctSiloEntryKey.
--
-- Silo status values used below (Orleans.Runtime.SiloStatus): 3 = Active, 6 = Dead.

-- One row per deployment (the Orleans ClusterId): the version every membership change must match and bump.
CREATE TABLE OrleansMembershipVersionTable
(
    DeploymentId  varchar(150)   NOT NULL,
    Timestamp     timestamptz(3) NOT NULL DEFAULT now(),
    Version       integer        NOT NULL DEFAULT 0,

    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

-- One row per silo incarnation (address, port and generation, i.e. start time, identify it).
CREATE TABLE OrleansMembershipTable
(
    DeploymentId  varchar(150)   NOT NULL,
    Address       varchar(45)    NOT NULL,   -- IPv4 or IPv6 text
    Port          integer        NOT NULL,   -- silo-to-silo port
    Generation    integer        NOT NULL,
    SiloName      varchar(150)   NOT NULL,
    HostName      varchar(150)   NOT NULL,
    Status        integer        NOT NULL,
    ProxyPort     integer        NULL,       -- gateway port for clients; 0 or NULL when the silo is no gateway
    SuspectTimes  text           NULL,       -- "silo,time|silo,time": who suspects this silo since when
    StartTime     timestamptz(3) NOT NULL,
    IAmAliveTime  timestamptz(3) NOT NULL,   -- heartbeat

    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Heartbeat. It never moves backwards: a delayed write with an older time does not undo a newer one.
CREATE FUNCTION update_i_am_alive_time(
    deployment_id    varchar,
    address_arg      varchar,
    port_arg         integer,
    generation_arg   integer,
    i_am_alive_time  timestamptz)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE OrleansMembershipTable AS m
    SET IAmAliveTime = GREATEST(m.IAmAliveTime, i_am_alive_time)
    WHERE m.DeploymentId = deployment_id
      AND m.Address = address_arg
      AND m.Port = port_arg
      AND m.Generation = generation_arg;
END
$$;

-- Creates the version row of a deployment the first time a silo of it starts. Returns 1 when it created the row,
-- 0 when the row was already there (both are fine for Orleans).
CREATE FUNCTION insert_membership_version(DeploymentIdArg varchar)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql
AS $$
DECLARE
    inserted integer;
BEGIN
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (DeploymentIdArg)
    ON CONFLICT (DeploymentId) DO NOTHING;

    GET DIAGNOSTICS inserted = ROW_COUNT;
    RETURN QUERY SELECT inserted;
END
$$;

-- Adds a silo's row, provided the caller's version is current. The version row is bumped first (which also locks it, so
-- concurrent writers of one deployment queue up instead of deadlocking); if the silo row then cannot be inserted because
-- it exists already, the bump is undone by raising inside the inner block, whose changes PostgreSQL rolls back. RAISE is
-- used rather than ASSERT because ASSERT is skipped when plpgsql.check_asserts is off, which would keep the bump.
-- Returns 1 when the row was added, 0 otherwise.
CREATE FUNCTION insert_membership(
    DeploymentIdArg  varchar,
    AddressArg       varchar,
    PortArg          integer,
    GenerationArg    integer,
    SiloNameArg      varchar,
    HostNameArg      varchar,
    StatusArg        integer,
    ProxyPortArg     integer,
    StartTimeArg     timestamptz,
    IAmAliveTimeArg  timestamptz,
    VersionArg       integer)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql
AS $$
DECLARE
    changed integer := 0;
BEGIN
    BEGIN
        UPDATE OrleansMembershipVersionTable
        SET Timestamp = now(),
            Version = Version + 1
        WHERE DeploymentId = DeploymentIdArg
          AND Version = VersionArg
          AND Version < 2147483647;

        GET DIAGNOSTICS changed = ROW_COUNT;

        INSERT INTO OrleansMembershipTable
            (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
        SELECT DeploymentIdArg, AddressArg, PortArg, GenerationArg, SiloNameArg, HostNameArg, StatusArg, ProxyPortArg,
               StartTimeArg, IAmAliveTimeArg
        WHERE changed > 0
        ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING;

        GET DIAGNOSTICS changed = ROW_COUNT;

        IF changed = 0 THEN
            RAISE EXCEPTION 'membership row not inserted; version change undone' USING ERRCODE = 'assert_failure';
        END IF;

        RETURN QUERY SELECT changed;
    EXCEPTION
        WHEN assert_failure THEN
            RETURN QUERY SELECT 0;
    END;
END
$$;

-- Changes a silo's status and suspicions, provided the caller's version is current; same all-or-nothing arrangement as
-- insert_membership. The heartbeat column only moves forward. Returns 1 when the row was changed, 0 otherwise.
CREATE FUNCTION update_membership(
    DeploymentIdArg  varchar,
    AddressArg       varchar,
    PortArg          integer,
    GenerationArg    integer,
    StatusArg        integer,
    SuspectTimesArg  text,
    IAmAliveTimeArg  timestamptz,
    VersionArg       integer)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql
AS $$
DECLARE
    changed integer := 0;
BEGIN
    BEGIN
        UPDATE OrleansMembershipVersionTable
        SET Timestamp = now(),
            Version = Version + 1
        WHERE DeploymentId = DeploymentIdArg
          AND Version = VersionArg
          AND Version < 2147483647;

        GET DIAGNOSTICS changed = ROW_COUNT;

        UPDATE OrleansMembershipTable
        SET Status = StatusArg,
            SuspectTimes = SuspectTimesArg,
            IAmAliveTime = GREATEST(IAmAliveTime, IAmAliveTimeArg)
        WHERE DeploymentId = DeploymentIdArg
          AND Address = AddressArg
          AND Port = PortArg
          AND Generation = GenerationArg
          AND changed > 0;

        GET DIAGNOSTICS changed = ROW_COUNT;

        IF changed = 0 THEN
            RAISE EXCEPTION 'membership row not updated; version change undone' USING ERRCODE = 'assert_failure';
        END IF;

        RETURN QUERY SELECT changed;
    EXCEPTION
        WHEN assert_failure THEN
            RETURN QUERY SELECT 0;
    END;
END
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    -- Heartbeat; the provider ignores the result.
    'UpdateIAmAlivetimeKey',
    $sql$SELECT update_i_am_alive_time(@DeploymentId, @Address, @Port, @Generation, @IAmAliveTime);$sql$
),
(
    'InsertMembershipVersionKey',
    $sql$SELECT row_count FROM insert_membership_version(@DeploymentId);$sql$
),
(
    'InsertMembershipKey',
    $sql$SELECT row_count FROM insert_membership(
        @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
        @StartTime, @IAmAliveTime, @Version);$sql$
),
(
    'UpdateMembershipKey',
    $sql$SELECT row_count FROM update_membership(
        @DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version);$sql$
),
(
    -- One silo's row together with the deployment's version. The outer join returns the version even when the silo has no
    -- row yet (its membership columns are then NULL), which is how the provider learns the version to insert with.
    'MembershipReadRowKey',
    $sql$SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m
       ON m.DeploymentId = v.DeploymentId
      AND m.Address = @Address
      AND m.Port = @Port
      AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;$sql$
),
(
    -- Every silo row of the deployment with its version (one row with NULL silo columns when there is none).
    'MembershipReadAllKey',
    $sql$SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m
       ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;$sql$
),
(
    -- Forgets a whole deployment (used by tests and tooling).
    'DeleteMembershipTableEntriesKey',
    $sql$DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;$sql$
),
(
    -- Gateways for clients: active silos (@Status = 3) that listen for clients.
    'GatewaysQueryKey',
    $sql$SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Status = @Status
  AND ProxyPort > 0;$sql$
),
(
    -- Bulk clean-up of dead silos' rows whose heartbeat is older than @IAmAliveTime. The provider uses it only when
    -- CleanupDefunctSiloEntryKey below is missing; kept equivalent to it so both paths delete the same rows.
    'CleanupDefunctSiloEntriesKey',
    $sql$DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Status = 6
  AND IAmAliveTime < @IAmAliveTime
  AND StartTime < @IAmAliveTime
  AND COALESCE(SuspectTimes, '') = '';$sql$
),
(
    -- Deletes one dead silo's row, only if it still holds exactly the values the provider read (so a row that changed
    -- meanwhile survives).
    'CleanupDefunctSiloEntryKey',
    $sql$DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Status = 6
  AND Address = @Address
  AND Port = @Port
  AND Generation = @Generation
  AND IAmAliveTime = @IAmAliveTime
  AND StartTime = @StartTime
  AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '');$sql$
);
