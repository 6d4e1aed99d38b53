using System.Text.Json;
using System.Text.Json.Nodes;
using TaskService.Queries;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Tasks;

namespace TaskService.Testing.Queries;

/// <summary>
/// One dataset of tasks and the LoopBack filters every query store must answer identically, so the in-memory store
/// and a PostgreSQL store can run exactly the same cases. Expected ids are in result order; without an explicit order
/// that is the task schema's default order, createdOn ASC then id ASC (also the tie-breaker after a requested order).
/// </summary>
public static class FilterCases
{
    /// <summary>A schema of two fields, a text id and a boolean <c>done</c>, for the rules that depend on a field's type.</summary>
    public static EntitySchema FlagSchema { get; } = new(
        EntityKind.Task,
        "flag",
        new Dictionary<string, FieldType>(StringComparer.Ordinal) { ["id"] = FieldType.String, ["done"] = FieldType.Boolean },
        [new SortOrder("id", false)]);

    /// <summary>All ids in default order (createdOn ASC, id ASC; t08 and t09 share a createdOn).</summary>
    private static readonly string[] DefaultOrder = ["t01", "t02", "t03", "t04", "t05", "t06", "t07", "t08", "t09", "t10", "t11", "t12"];

    /// <summary>The dataset. Names mix cases, accents, CJK, a fullwidth letter, an emoji and SQL-looking text.</summary>
    public static IReadOnlyList<TaskRecord> Tasks { get; } =
    [
        CreateTask("t01", "review", "Review contract", TaskRecordStatus.Pending, "2024-01-01T08:00:00Z", priority: "high", assigneeId: "alice",
            startDate: "2024-01-01T09:00:00Z", dueDate: "2024-03-01T09:00:00Z",
            metadata: """{"customer":{"id":"c-1","tier":"gold"},"score":10,"urgent":true}""", createdBy: "alice", modifiedBy: "bob"),
        CreateTask("t02", "review", "review invoice", TaskRecordStatus.InProgress, "2024-01-02T08:00:00Z", priority: "low", assigneeId: "bob",
            dueDate: "2024-02-15T12:00:00+02:00", metadata: """{"customer":{"id":"c-2"},"score":3.5,"urgent":false}"""),
        CreateTask("t03", "approve", "Approve 100% of budget", TaskRecordStatus.Completed, "2024-01-03T08:00:00Z", assigneeId: "alice",
            endDate: "2024-01-20T00:00:00Z"),
        CreateTask("t04", "approve", "Approve_budget", TaskRecordStatus.Pending, "2024-01-04T08:00:00Z", priority: "medium",
            dueDate: "2024-02-15T10:00:00Z", metadata: """{"score":"10","tags":["a","b"]}"""),
        CreateTask("t05", "plan", "Été planning", TaskRecordStatus.Pending, "2024-01-05T08:00:00Z", priority: "high", assigneeId: "carol",
            dueDate: "2024-02-01T00:00:00Z", metadata: """{"customer":{"id":"c-1"},"score":7}""", createdBy: "alice"),
        CreateTask("t06", "plan", "été review", TaskRecordStatus.Completed, "2024-01-06T08:00:00Z", priority: "low", metadata: "{}"),
        CreateTask("t07", "intl", "日本語タスク", TaskRecordStatus.InProgress, "2024-01-07T08:00:00Z", assigneeId: "dave",
            dueDate: "2024-01-31T23:59:59.999Z", metadata: """{"customer":null,"score":-2}"""),
        CreateTask("t08", "intl", "😀 emoji task", TaskRecordStatus.Pending, "2024-01-08T08:00:00Z"),
        CreateTask("t09", "intl", "Ｆullwidth task", TaskRecordStatus.Pending, "2024-01-08T08:00:00Z", priority: "low", metadata: """{"score":0}"""),
        CreateTask("t10", "sec", "Robert'); DROP TABLE tasks;--", TaskRecordStatus.Pending, "2024-01-10T08:00:00Z", priority: "high",
            assigneeId: "mallory", metadata: """{"note":"' OR '1'='1"}"""),
        CreateTask("t11", "sec", @"back\slash", TaskRecordStatus.Completed, "2024-01-11T08:00:00Z", priority: "medium", assigneeId: "bob",
            dueDate: "2024-05-01T00:00:00Z", description: @"C:\temp"),
        CreateTask("t12", "zeta", "Zeta", TaskRecordStatus.InProgress, "2024-01-12T08:00:00Z", priority: "high", assigneeId: "bob",
            dueDate: "2024-04-01T00:00:00Z", metadata: """{"customer":{"id":"c-3","tier":"silver"},"score":100,"urgent":true}""",
            createdBy: "carol", modifiedBy: "carol"),
    ];

    /// <summary>
    /// A soft-deleted task (with a user task) that would match almost every case: stores that hide deleted rows never return it.
    /// It is the newest task, so that ordering by createdOn DESC would put it first.
    /// </summary>
    public static TaskRecord DeletedTask { get; } = CreateTask("t13", "review", "Review deleted", TaskRecordStatus.Pending, "2024-01-13T08:00:00Z",
        priority: "high", assigneeId: "alice", createdBy: "alice", modifiedBy: "bob") with
    {
        Deleted = true,
        DeletedOn = Date("2024-01-14T08:00:00Z"),
        DeletedBy = "bob",
    };

    /// <summary>Soft-deleted user tasks: one of the live task t01 and one of the deleted task t13; neither is ever returned.</summary>
    public static IReadOnlyList<UserTaskRecord> DeletedUserTasks { get; } =
    [
        CreateUserTask("u98", "t01", "Deleted step", UserTaskStatus.Pending, "2024-01-01T12:00:00Z") with
        {
            Deleted = true, DeletedOn = Date("2024-01-02T12:00:00Z"), DeletedBy = "bob",
        },
        CreateUserTask("u99", "t13", "Deleted task's step", UserTaskStatus.Pending, "2024-01-13T09:00:00Z") with
        {
            Deleted = true, DeletedOn = Date("2024-01-14T08:00:00Z"), DeletedBy = "bob",
        },
    ];

    /// <summary>What a store holds: every task with its user tasks, live and soft-deleted, and the soft-deleted task.</summary>
    public static IEnumerable<TaskAggregate> Aggregates() =>
        Tasks.Append(DeletedTask).Select(t => new TaskAggregate(t,
            UserTasks.Concat(DeletedUserTasks).Where(u => u.TaskId == t.Id).OrderBy(u => u.CreatedOn).ToArray()));

    /// <summary>Filters and the ids they return, in order.</summary>
    public static IReadOnlyList<Case> Cases { get; } =
    [
        new("no filter returns all in default order", "{}", DefaultOrder),
        new("empty where matches all", """{"where":{}}""", DefaultOrder),

        // eq / neq
        new("eq shorthand", """{"where":{"status":"pending"}}""", ["t01", "t04", "t05", "t08", "t09", "t10"]),
        new("eq operator", """{"where":{"assigneeId":{"eq":"bob"}}}""", ["t02", "t11", "t12"]),
        new("eq is case-sensitive", """{"where":{"name":"zeta"}}""", []),
        new("eq null shorthand is IS NULL", """{"where":{"priority":null}}""", ["t03", "t07", "t08"]),
        new("eq null operator is IS NULL", """{"where":{"dueDate":{"eq":null}}}""", ["t03", "t06", "t08", "t09", "t10"]),
        new("neq skips nulls as in SQL", """{"where":{"priority":{"neq":"high"}}}""", ["t02", "t04", "t06", "t09", "t11"]),
        new("neq null is IS NOT NULL", """{"where":{"assigneeId":{"neq":null}}}""", ["t01", "t02", "t03", "t05", "t07", "t10", "t11", "t12"]),
        new("eq unicode", """{"where":{"name":"日本語タスク"}}""", ["t07"]),
        new("eq with backslash", """{"where":{"description":"C:\\temp"}}""", ["t11"]),

        // DateTime: compared as instants, whatever the offset
        new("eq date-time across offsets", """{"where":{"dueDate":"2024-02-15T10:00:00Z"}}""", ["t02", "t04"]),
        new("gt date-time excludes equal", """{"where":{"dueDate":{"gt":"2024-02-15T10:00:00Z"}}}""", ["t01", "t11", "t12"]),
        new("gte date-time with offset", """{"where":{"dueDate":{"gte":"2024-02-15T11:00:00+01:00"}}}""", ["t01", "t02", "t04", "t11", "t12"]),
        new("lt date-time", """{"where":{"dueDate":{"lt":"2024-02-01T00:00:00Z"}}}""", ["t07"]),
        new("lte date only is midnight UTC", """{"where":{"dueDate":{"lte":"2024-02-01"}}}""", ["t05", "t07"]),
        new("between date-times is inclusive", """{"where":{"dueDate":{"between":["2024-02-01T00:00:00Z","2024-03-01T09:00:00Z"]}}}""", ["t01", "t02", "t04", "t05"]),

        // Strings compare by code point (COLLATE "C")
        new("gt string by code point", """{"where":{"name":{"gt":"Z"}}}""", ["t02", "t05", "t06", "t07", "t08", "t09", "t11", "t12"]),
        new("lt string", """{"where":{"name":{"lt":"R"}}}""", ["t03", "t04"]),
        new("lte string equal bound", """{"where":{"assigneeId":{"lte":"alice"}}}""", ["t01", "t03"]),
        new("between strings", """{"where":{"assigneeId":{"between":["alice","bob"]}}}""", ["t01", "t02", "t03", "t11", "t12"]),

        // inq / nin
        new("inq", """{"where":{"status":{"inq":["completed","in progress"]}}}""", ["t02", "t03", "t06", "t07", "t11", "t12"]),
        new("inq empty matches nothing", """{"where":{"status":{"inq":[]}}}""", []),
        new("inq date-times", """{"where":{"dueDate":{"inq":["2024-02-15T12:00:00+02:00","2024-04-01T00:00:00Z"]}}}""", ["t02", "t04", "t12"]),
        new("nin skips nulls", """{"where":{"priority":{"nin":["high","low"]}}}""", ["t04", "t11"]),

        // Audit fields: who created and changed a row; deleted rows are never returned, so deleted is false on every row
        new("createdBy eq", """{"where":{"createdBy":"alice"}}""", ["t01", "t05"]),
        new("modifiedBy inq", """{"where":{"modifiedBy":{"inq":["bob","carol"]}}}""", ["t01", "t12"]),
        new("createdBy order", """{"where":{"createdBy":{"neq":"x"}},"order":"createdBy DESC"}""", ["t12", "t01", "t05"]),
        new("deleted false matches every row", """{"where":{"deleted":false}}""", DefaultOrder),
        new("deleted true matches nothing", """{"where":{"deleted":true}}""", []),
        new("deletedBy eq matches nothing", """{"where":{"deletedBy":"bob"}}""", []),
        new("nin empty matches all non-null", """{"where":{"priority":{"nin":[]}}}""", ["t01", "t02", "t04", "t05", "t06", "t09", "t10", "t11", "t12"]),

        // like / ilike
        new("like prefix", """{"where":{"name":{"like":"Approve%"}}}""", ["t03", "t04"]),
        new("like is case-sensitive", """{"where":{"name":{"like":"review%"}}}""", ["t02"]),
        new("like underscore is one character", """{"where":{"name":{"like":"Approve_1%"}}}""", ["t03"]),
        new("like underscore matches one emoji", """{"where":{"name":{"like":"_ emoji task"}}}""", ["t08"]),
        new("like escaped percent", """{"where":{"name":{"like":"%100\\%%"}}}""", ["t03"]),
        new("like escaped underscore", """{"where":{"name":{"like":"Approve\\_%"}}}""", ["t04"]),
        new("like escaped backslash", """{"where":{"name":{"like":"back\\\\slash"}}}""", ["t11"]),
        new("like without wildcard is equality", """{"where":{"name":{"like":"Zeta"}}}""", ["t12"]),
        new("ilike", """{"where":{"name":{"ilike":"review%"}}}""", ["t01", "t02"]),
        new("ilike suffix", """{"where":{"name":{"ilike":"%TASK"}}}""", ["t08", "t09"]),
        new("ilike folds accented letters", """{"where":{"name":{"ilike":"été%"}}}""", ["t05", "t06"]),

        // Paths inside JSON fields
        new("json path eq nested string", """{"where":{"metadata.customer.id":"c-1"}}""", ["t01", "t05"]),
        new("json path number does not equal string", """{"where":{"metadata.score":10}}""", ["t01"]),
        new("json path string does not equal number", """{"where":{"metadata.score":"10"}}""", ["t04"]),
        new("json path boolean", """{"where":{"metadata.urgent":true}}""", ["t01", "t12"]),
        new("json path neq boolean skips missing", """{"where":{"metadata.urgent":{"neq":true}}}""", ["t02"]),
        new("json path missing is null", """{"where":{"metadata.customer.tier":null}}""", ["t02", "t03", "t04", "t05", "t06", "t07", "t08", "t09", "t10", "t11"]),
        new("json path neq null", """{"where":{"metadata.customer":{"neq":null}}}""", ["t01", "t02", "t05", "t12"]),
        new("json path neq compares types", """{"where":{"metadata.score":{"neq":10}}}""", ["t02", "t04", "t05", "t07", "t09", "t12"]),
        new("json path gt number", """{"where":{"metadata.score":{"gt":5}}}""", ["t01", "t05", "t12"]),
        new("json path lte negative number", """{"where":{"metadata.score":{"lte":0}}}""", ["t07", "t09"]),
        new("json path between numbers", """{"where":{"metadata.score":{"between":[0,10]}}}""", ["t01", "t02", "t05", "t09"]),
        new("json path gt string", """{"where":{"metadata.customer.tier":{"gt":"h"}}}""", ["t12"]),
        new("json path inq mixed types", """{"where":{"metadata.score":{"inq":[7,"10",100]}}}""", ["t04", "t05", "t12"]),
        new("json path nin compares types", """{"where":{"metadata.score":{"nin":[10,3.5]}}}""", ["t04", "t05", "t07", "t09", "t12"]),
        new("json path like", """{"where":{"metadata.note":{"like":"%OR%"}}}""", ["t10"]),
        new("json path like matches only strings", """{"where":{"metadata.score":{"like":"1%"}}}""", ["t04"]),
        new("json field is null", """{"where":{"metadata":null}}""", ["t03", "t08", "t11"]),
        new("json field is not null", """{"where":{"metadata":{"neq":null}}}""", ["t01", "t02", "t04", "t05", "t06", "t07", "t09", "t10", "t12"]),
        new("json field contains holds only for arrays", """{"where":{"metadata":{"contains":"a"}}}""", []),

        // and / or
        new("several fields are ANDed", """{"where":{"status":"pending","priority":"high"}}""", ["t01", "t05", "t10"]),
        new("several operators on one field are ANDed", """{"where":{"dueDate":{"gte":"2024-02-01T00:00:00Z","lt":"2024-03-01T00:00:00Z"}}}""", ["t02", "t04", "t05"]),
        new("or", """{"where":{"or":[{"status":"completed"},{"assigneeId":"alice"}]}}""", ["t01", "t03", "t06", "t11"]),
        new("and", """{"where":{"and":[{"key":"review"},{"status":{"neq":"pending"}}]}}""", ["t02"]),
        new("field and or together", """{"where":{"priority":"low","or":[{"assigneeId":"bob"},{"assigneeId":null}]}}""", ["t02", "t06", "t09"]),
        new("nested or of ands", """{"where":{"or":[{"and":[{"status":"pending"},{"metadata.customer.id":"c-1"}]},{"and":[{"status":"in progress"},{"assigneeId":"bob"}]}]}}""", ["t01", "t02", "t05", "t12"]),
        new("or with an empty where matches all", """{"where":{"or":[{},{"status":"pending"}]}}""", DefaultOrder),

        // order, skip, limit
        new("order ASC puts nulls last", """{"order":"dueDate ASC"}""", ["t07", "t05", "t02", "t04", "t01", "t12", "t11", "t03", "t06", "t08", "t09", "t10"]),
        new("order DESC puts nulls first", """{"order":["dueDate DESC"]}""", ["t03", "t06", "t08", "t09", "t10", "t11", "t12", "t01", "t02", "t04", "t05", "t07"]),
        new("order by name is by code point", """{"order":"name asc"}""", ["t03", "t04", "t01", "t10", "t12", "t11", "t02", "t05", "t06", "t07", "t09", "t08"]),
        new("order without direction is ASC", """{"order":"assigneeId"}""", ["t01", "t03", "t02", "t11", "t12", "t05", "t07", "t10", "t04", "t06", "t08", "t09"]),
        // priority is a plain string: DESC gives medium, low, high
        new("order by several fields", """{"order":["status ASC","priority DESC"]}""", ["t03", "t11", "t06", "t07", "t02", "t12", "t08", "t04", "t09", "t01", "t05", "t10"]),
        new("order ties fall back to default order", """{"order":"createdOn DESC"}""", ["t12", "t11", "t10", "t08", "t09", "t07", "t06", "t05", "t04", "t03", "t02", "t01"]),
        new("skip and limit after order", """{"order":"name ASC","skip":2,"limit":3}""", ["t01", "t10", "t12"]),
        new("offset is skip", """{"offset":10}""", ["t11", "t12"]),
        new("skip past the end", """{"skip":50}""", []),
        new("where order and limit", """{"where":{"status":"pending"},"order":"createdOn ASC","limit":2}""", ["t01", "t04"]),

        // SQL-looking values are plain data
        new("sql injection value matches nothing", """{"where":{"name":"x' OR '1'='1"}}""", []),
        new("sql-looking value matches its literal", """{"where":{"name":"Robert'); DROP TABLE tasks;--"}}""", ["t10"]),
        new("sql injection like pattern matches nothing", """{"where":{"name":{"like":"%' OR 1=1 --"}}}""", []),
        new("sql-looking json value matches its literal", """{"where":{"metadata.note":"' OR '1'='1"}}""", ["t10"]),
        new("sql injection inq value", """{"where":{"id":{"inq":["t01') OR ('1'='1","t02"]}}}""", ["t02"]),
    ];

    /// <summary>Filters a parser must reject with 400; <see cref="InvalidCase.MessageFragment"/> is part of the message.</summary>
    public static IReadOnlyList<InvalidCase> InvalidCases { get; } =
    [
        new("bad JSON", "filter", """{"where":""", "not valid JSON"),
        new("filter not an object", "filter", "[1,2]", "must be a JSON object"),
        new("unknown top-level key", "filter", """{"wher":{}}""", "Unknown filter key 'wher'"),
        new("duplicate top-level key", "filter", """{"limit":1,"limit":2}""", "more than once"),
        new("include of an unknown relation", "filter", """{"include":["subtasks"]}""", "Unknown relation 'subtasks' in 'include': a task includes userTasks"),
        new("include with an unknown key", "filter", """{"include":[{"relation":"userTasks","where":{}}]}""", "Unknown key 'where' in an 'include' entry"),
        new("include without relation", "filter", """{"include":[{"scope":{}}]}""", "needs 'relation'"),
        new("include twice", "filter", """{"include":["userTasks",{"relation":"userTasks"}]}""", "more than once"),
        new("include scope with an unknown field", "filter", """{"include":[{"relation":"userTasks","scope":{"where":{"priority":"high"}}}]}""", "Unknown field 'priority' for user task"),
        new("include scope nesting a relation", "filter", """{"include":[{"relation":"userTasks","scope":{"include":["userTasks"]}}]}""", "a user task has no relations to include"),
        new("unknown field", "filter", """{"where":{"foo":1}}""", "Unknown field 'foo' for task. Known fields: id, key, name"),
        new("field names are case-sensitive", "filter", """{"where":{"Name":"Zeta"}}""", "Unknown field 'Name'"),
        new("unknown operator", "filter", """{"where":{"name":{"regexp":"^Z"}}}""", "Unknown operator 'regexp' on field 'name'. Supported: eq, neq"),
        new("empty operator object", "filter", """{"where":{"name":{}}}""", "empty operator object"),
        new("array instead of inq", "filter", """{"where":{"status":["pending"]}}""", "inq"),
        new("number for string field", "filter", """{"where":{"name":5}}""", "Field 'name' of task needs a string"),
        new("boolean for string field", "filter", """{"where":{"status":{"neq":true}}}""", "Field 'status' of task needs a string"),
        new("date-time not ISO 8601", "filter", """{"where":{"dueDate":{"gt":"yesterday"}}}""", "ISO 8601"),
        new("date-time as number", "filter", """{"where":{"dueDate":{"gt":1700000000}}}""", "ISO 8601"),
        new("impossible date", "filter", """{"where":{"dueDate":"2024-02-30T00:00:00Z"}}""", "ISO 8601"),
        new("like on date-time", "filter", """{"where":{"dueDate":{"like":"2024%"}}}""", "Operator 'like' is not supported on the date-time field 'dueDate'"),
        new("like with a number", "filter", """{"where":{"name":{"like":5}}}""", "needs a string pattern"),
        new("like ending in escape", "filter", """{"where":{"name":{"like":"abc\\"}}}""", "unescaped backslash"),
        new("null with gt", "filter", """{"where":{"dueDate":{"gt":null}}}""", "null is only allowed with eq and neq"),
        new("null inside inq", "filter", """{"where":{"status":{"inq":["pending",null]}}}""", "does not accept null"),
        new("inq not an array", "filter", """{"where":{"status":{"inq":"pending"}}}""", "needs an array"),
        new("inq element of wrong type", "filter", """{"where":{"status":{"inq":["pending",1]}}}""", "Field 'status' of task needs a string"),
        new("between with one value", "filter", """{"where":{"dueDate":{"between":["2024-01-01T00:00:00Z"]}}}""", "exactly 2"),
        new("between mixed json types", "filter", """{"where":{"metadata.score":{"between":[1,"9"]}}}""", "both be numbers or both be strings"),
        new("dotted path on a non-JSON field", "filter", """{"where":{"name.first":"x"}}""", "'name' of task is not a JSON field"),
        new("json field compared with a scalar", "filter", """{"where":{"metadata":"x"}}""", "JSON document"),
        new("json path compared with an object", "filter", """{"where":{"metadata.customer":{"eq":{"id":"c-1"}}}}""", "JSON scalar"),
        new("json path range with boolean", "filter", """{"where":{"metadata.urgent":{"gt":false}}}""", "booleans only support eq, neq, inq and nin"),
        new("empty json path part", "filter", """{"where":{"metadata..x":1}}""", "Invalid path"),
        new("and not an array", "filter", """{"where":{"and":{"name":"x"}}}""", "'and' needs a non-empty array"),
        new("empty or", "filter", """{"where":{"or":[]}}""", "'or' needs a non-empty array"),
        new("or item not an object", "filter", """{"where":{"or":["x"]}}""", "must be a where object"),
        new("duplicate where key", "filter", """{"where":{"name":"a","name":"b"}}""", "more than once"),
        new("nesting too deep", "filter", $$"""{"where":{{Nested(40)}}}""", "nests arrays and objects deeper than 32 levels (TaskService:Limits:MaxJsonDepth)"),
        new("limit above maximum page size", "filter", """{"limit":1001}""", "maximum page size 1000"),
        new("limit zero", "filter", """{"limit":0}""", "'limit' must be a whole number from 1 to 1000"),
        new("negative limit", "filter", """{"limit":-1}""", "'limit' must be a whole number"),
        new("fractional limit", "filter", """{"limit":2.5}""", "'limit' must be a whole number"),
        new("limit as string", "filter", """{"limit":"10"}""", "'limit' must be a whole number"),
        new("negative skip", "filter", """{"skip":-5}""", "'skip' must be a whole number"),
        new("skip and offset together", "filter", """{"skip":1,"offset":2}""", "both 'skip' and 'offset'"),
        new("order unknown field", "filter", """{"order":"foo ASC"}""", "Unknown field 'foo' in order"),
        new("order bad direction", "filter", """{"order":"name UP"}""", "Invalid sort direction 'UP'"),
        new("order by json field", "filter", """{"order":"metadata ASC"}""", "JSON document"),
        new("order not a string", "filter", """{"order":5}""", "'order' must be a string"),
        new("fields unknown", "filter", """{"fields":["id","secret"]}""", "Unknown field 'secret' in fields"),
        new("fields value not boolean", "filter", """{"fields":{"id":1}}""", "must be true or false"),

        // SQL-looking names and operators never reach a store
        new("sql injection as field name", "filter", """{"where":{"name' OR '1'='1":"x"}}""", "Unknown field 'name' OR '1'='1'"),
        new("sql statement as field name", "filter", """{"where":{"id; DROP TABLE tasks;--":"x"}}""", "Unknown field"),
        new("sql injection as operator", "filter", """{"where":{"name":{"eq' OR 1=1 --":"x"}}}""", "Unknown operator"),
        new("sql injection in json path", "filter", """{"where":{"metadata.x') OR 1=1 --":"x"}}""", "Invalid path"),
        new("sql injection in order", "filter", """{"order":"name ASC; DROP TABLE tasks"}""", "Invalid order entry"),
        new("sql injection in order direction", "filter", """{"order":"name DESC;--"}""", "Invalid sort direction"),
        new("sql injection in fields", "filter", """{"fields":["id\"; DROP TABLE tasks;--"]}""", "Unknown field"),

        // The where parameter of count, patch and delete
        new("where bad JSON", "where", "{name:", "not valid JSON"),
        new("where not an object", "where", "\"pending\"", "must be a JSON object"),
        new("where unknown field", "where", """{"foo":1}""", "Unknown field 'foo'"),
        new("where unknown operator", "where", """{"name":{"nlike":"x"}}""", "Unknown operator 'nlike'"),
    ];

    /// <summary>
    /// Shared cases the <c>qs</c> bracket form cannot express, and why: <c>qs</c> writes null as an empty string and an empty
    /// array as nothing, and a value inside a JSON field arrives as text because no property type says otherwise.
    /// </summary>
    public static IReadOnlySet<string> NotInBracketForm { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "eq null shorthand is IS NULL", "eq null operator is IS NULL", "neq null is IS NOT NULL", "inq empty matches nothing",
        "nin empty matches all non-null", "json path number does not equal string", "json path boolean", "json path neq boolean skips missing",
        "json path missing is null", "json path neq null", "json path neq compares types", "json path gt number", "json path lte negative number",
        "json path between numbers", "json path inq mixed types", "json path nin compares types", "json field is null", "json field is not null",
        "field and or together", "or with an empty where matches all",
    };

    /// <summary>The shared cases in the bracket form too: every case but <see cref="NotInBracketForm"/>.</summary>
    public static TheoryData<string> BracketCaseNames() => new(Cases.Select(c => c.Name).Where(n => !NotInBracketForm.Contains(n)));

    /// <summary>
    /// The query-string keys and values <c>qs.stringify</c> (LoopBack's clients) writes for <paramref name="json"/> as the
    /// value of <paramref name="parameter"/>: objects and arrays as brackets with indexes, every value as text.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> BracketForm(string json, string parameter)
    {
        var pairs = new List<KeyValuePair<string, IReadOnlyList<string>>>();
        using var document = JsonDocument.Parse(json);
        Flatten(document.RootElement, parameter, pairs);
        return pairs;
    }

    /// <summary>The bracket form as a URL query string (keys and values escaped).</summary>
    public static string BracketQuery(string json, string parameter) =>
        string.Join('&', BracketForm(json, parameter).SelectMany(p => p.Value.Select(v => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(v)}")));

    private static void Flatten(JsonElement value, string key, List<KeyValuePair<string, IReadOnlyList<string>>> pairs)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    Flatten(property.Value, $"{key}[{property.Name}]", pairs);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Flatten(item, $"{key}[{index++}]", pairs);
                }

                break;
            case JsonValueKind.String:
                pairs.Add(new(key, [value.GetString()!]));
                break;
            case JsonValueKind.Null:
                pairs.Add(new(key, [""]));
                break;
            default:
                pairs.Add(new(key, [value.GetRawText()]));
                break;
        }
    }

    /// <summary>User tasks of some tasks of <see cref="Tasks"/>, for <c>include</c>.</summary>
    public static IReadOnlyList<UserTaskRecord> UserTasks { get; } =
    [
        CreateUserTask("u01", "t01", "Read", UserTaskStatus.Completed, "2024-01-01T09:00:00Z"),
        CreateUserTask("u02", "t01", "Sign", UserTaskStatus.Pending, "2024-01-01T10:00:00Z"),
        CreateUserTask("u03", "t01", "Archive", UserTaskStatus.Pending, "2024-01-01T11:00:00Z"),
        CreateUserTask("u04", "t02", "Check", UserTaskStatus.Pending, "2024-01-02T09:00:00Z"),
        CreateUserTask("u05", "t12", "Zeta step", UserTaskStatus.Completed, "2024-01-12T09:00:00Z"),
    ];

    /// <summary>Fresh rows for <see cref="Tasks"/> in their contract JSON form (camelCase, nulls omitted).</summary>
    public static List<JsonObject> CreateTaskRows() =>
        Tasks.Select(t => JsonSerializer.SerializeToNode(t, ContractJson.Options)!.AsObject()).ToList();

    public static Case Get(string name) => Cases.Single(c => c.Name == name);

    public static InvalidCase GetInvalid(string name) => InvalidCases.Single(c => c.Name == name);

    public static TheoryData<string> CaseNames() => new(Cases.Select(c => c.Name));

    public static TheoryData<string> InvalidCaseNames() => new(InvalidCases.Select(c => c.Name));

    private static string Nested(int depth) =>
        depth == 0 ? """{"name":"x"}""" : $$"""{"or":[{{Nested(depth - 1)}}]}""";

    private static TaskRecord CreateTask(
        string id, string key, string name, TaskRecordStatus status, string createdOn,
        string? priority = null, string? assigneeId = null, string? startDate = null, string? dueDate = null,
        string? endDate = null, string? description = null, string? metadata = null, string? createdBy = null,
        string? modifiedBy = null) => new()
        {
            Id = id,
            Key = key,
            Name = name,
            Status = status,
            Priority = priority,
            AssigneeId = assigneeId,
            StartDate = Date(startDate),
            DueDate = Date(dueDate),
            EndDate = Date(endDate),
            Description = description,
            Metadata = metadata is null ? null : JsonElementFactory.Parse(metadata),
            CreatedOn = Date(createdOn)!.Value,
            ModifiedOn = Date(createdOn)!.Value,
            CreatedBy = createdBy,
            ModifiedBy = modifiedBy,
        };

    private static UserTaskRecord CreateUserTask(string id, string taskId, string name, UserTaskStatus status, string createdOn) => new()
    {
        Id = id,
        TaskId = taskId,
        Name = name,
        Status = status,
        ExternalId = "ext-" + id,
        CreatedOn = Date(createdOn)!.Value,
        ModifiedOn = Date(createdOn)!.Value,
    };

    private static DateTimeOffset? Date(string? iso) =>
        iso is null ? null : DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A filter and the ids it returns, in order.</summary>
    public sealed record Case(string Name, string FilterJson, IReadOnlyList<string> ExpectedIds)
    {
        public override string ToString() => Name;
    }

    /// <summary>A <paramref name="Json"/> value of the <paramref name="Parameter"/> query parameter that must be rejected.</summary>
    public sealed record InvalidCase(string Name, string Parameter, string Json, string MessageFragment)
    {
        public override string ToString() => Name;
    }
}
