-- Orleans ADO.NET providers, part 3 of 4: grain state (Microsoft.Orleans.Persistence.AdoNet 10.4.2).
--
-- One row per grain state: the grain is identified by its type, its key (two 64-bit halves plus an optional string
-- extension) and the service id; hashes of the id and the type make lookups cheap. The state itself is the bytes of the
-- storage serializer (Orleans 10 writes only PayloadBinary; the JSON and XML columns of Orleans 3 are gone).
-- Version is the ETag: it starts at 1 and grows by one on every write or clear. A write or clear that names a version
-- other than the stored one changes nothing and returns no new version, which Orleans turns into an
-- InconsistentStateException for the grain (another activation wrote first).
--
-- Query keys the provider asks for: WriteToStorageKey, ReadFromStorageKey, ClearStorageKey, and (for grain storage with
-- DeleteStateOnClear = true) DeleteStorageKey.

CREATE TABLE OrleansStorage
(
    GrainIdHash             integer        NOT NULL,
    GrainIdN0               bigint         NOT NULL,
    GrainIdN1               bigint         NOT NULL,
    GrainTypeHash           integer        NOT NULL,
    GrainTypeString         varchar(512)   NOT NULL,
    -- The string part of the key (string-keyed grains, or the extension of a compound key). TaskService keys grains by
    -- event keys of up to 500 characters, so this is wider than Orleans' own script.
    GrainIdExtensionString  varchar(1024)  NULL,
    ServiceId               varchar(150)   NOT NULL,
    PayloadBinary           bytea          NULL,     -- NULL after a clear
    ModifiedOn              timestamptz    NOT NULL,
    Version                 integer        NULL
);

-- At most one row per grain state. Orleans' own script has only a non-unique index and relies on the write function's
-- NOT EXISTS check, which two concurrent first writes (e.g. two activations during a split brain) can both pass; this
-- index makes the second one fail instead, and writetostorage turns that failure into "not written". It also serves every
-- lookup below (hash columns first). NULL and '' extensions count as the same key here; Orleans never produces ''.
CREATE UNIQUE INDEX UX_OrleansStorage_Grain
    ON OrleansStorage (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString,
                       (COALESCE(GrainIdExtensionString, '')));

-- Writes a grain's state. With a version (the state was read before) it updates the row of that version; without one
-- (first write) it inserts the row with version 1. Returns the new version, or the version passed in when nothing was
-- written (a stale version, or a row that exists although the caller had none).
CREATE FUNCTION writetostorage(
    _grainidhash             integer,
    _grainidn0               bigint,
    _grainidn1               bigint,
    _graintypehash           integer,
    _graintypestring         varchar,
    _grainidextensionstring  varchar,
    _serviceid               varchar,
    _grainstateversion       integer,
    _payloadbinary           bytea)
RETURNS TABLE (newgrainstateversion integer)
LANGUAGE plpgsql
AS $$
DECLARE
    written integer := 0;
BEGIN
    IF _grainstateversion IS NOT NULL THEN
        UPDATE OrleansStorage
        SET PayloadBinary = _payloadbinary,
            ModifiedOn = now(),
            Version = Version + 1
        WHERE GrainIdHash = _grainidhash
          AND GrainTypeHash = _graintypehash
          AND GrainIdN0 = _grainidn0
          AND GrainIdN1 = _grainidn1
          AND GrainTypeString = _graintypestring
          AND GrainIdExtensionString IS NOT DISTINCT FROM _grainidextensionstring
          AND ServiceId = _serviceid
          AND Version = _grainstateversion;

        GET DIAGNOSTICS written = ROW_COUNT;
        RETURN QUERY SELECT CASE WHEN written > 0 THEN _grainstateversion + 1 ELSE _grainstateversion END;
        RETURN;
    END IF;

    BEGIN
        INSERT INTO OrleansStorage
            (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId,
             PayloadBinary, ModifiedOn, Version)
        SELECT _grainidhash, _grainidn0, _grainidn1, _graintypehash, _graintypestring, _grainidextensionstring, _serviceid,
               _payloadbinary, now(), 1
        WHERE NOT EXISTS (
            SELECT 1
            FROM OrleansStorage
            WHERE GrainIdHash = _grainidhash
              AND GrainTypeHash = _graintypehash
              AND GrainIdN0 = _grainidn0
              AND GrainIdN1 = _grainidn1
              AND GrainTypeString = _graintypestring
              AND GrainIdExtensionString IS NOT DISTINCT FROM _grainidextensionstring
              AND ServiceId = _serviceid);

        GET DIAGNOSTICS written = ROW_COUNT;
    EXCEPTION
        WHEN unique_violation THEN
            written := 0;   -- a concurrent first write won
    END;

    RETURN QUERY SELECT CASE WHEN written > 0 THEN 1 ELSE NULL::integer END;
END
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    'WriteToStorageKey',
    $sql$SELECT newgrainstateversion AS NewGrainStateVersion
FROM writetostorage(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString,
                    @ServiceId, @GrainStateVersion, @PayloadBinary);$sql$
),
(
    -- No row means "never written": Orleans then starts from a new state without an ETag.
    'ReadFromStorageKey',
    $sql$SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND ServiceId = @ServiceId;$sql$
),
(
    -- Clears the state but keeps the row, so that the version keeps growing. Returns the new version, or no row when the
    -- version was stale.
    'ClearStorageKey',
    $sql$UPDATE OrleansStorage
SET PayloadBinary = NULL,
    ModifiedOn = now(),
    Version = Version + 1
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND ServiceId = @ServiceId
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;$sql$
),
(
    -- Deletes the row (DeleteStateOnClear = true). Returns a value different from the caller's version on success, or
    -- no row when the version was stale.
    'DeleteStorageKey',
    $sql$DELETE FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND ServiceId = @ServiceId
  AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;$sql$
);
