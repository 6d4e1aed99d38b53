-- Orleans ADO.NET providers, part 1 of 4: the query catalogue.
--
-- The Orleans 10.4.2 ADO.NET providers (clustering, grain storage, reminders) send no SQL of their own. At start-up each one
-- reads `SELECT QueryKey, QueryText FROM OrleansQuery` and from then on runs only the texts stored here, binding its
-- parameters by name (@DeploymentId, @GrainIdHash, ...) and reading result columns by name. The scripts 0002 to 0004 fill
-- this table; a provider refuses to start when a key it needs is missing ("Not all required queries found").
--
-- Contract kept by every query text in these scripts:
--   * parameter names, result column names and result types are the ones the provider binds and reads;
--   * queries that report success return one row with one integer column: > 0 for success, 0 for "did not apply"
--     (for example a stale version), and any error rolls the whole statement back;
--   * versions (ETags) are integers that grow by one on every change.
--
-- The Orleans tables live in the first schema of the connection's search_path (`public` by default), because the
-- providers name them without a schema. TaskService's own tables live in schema `main` (see 0100).

CREATE TABLE OrleansQuery
(
    -- The key a provider asks for, e.g. 'InsertMembershipKey'. Spelled exactly as in the provider's code.
    QueryKey   varchar(64) NOT NULL,
    -- The SQL the provider runs for that key.
    QueryText  text        NOT NULL,

    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);
