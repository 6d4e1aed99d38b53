using System.Text.Json;
using TaskService.Common;
using TaskService.Workflows.Bpmn;
using TaskService.Workflows.Expressions;

namespace TaskService.Grains.Tests.Workflows;

public sealed class BpmnParserTests
{
    private const string Supported = "is not supported by the embedded engine; supported:";

    private const string StartToTask = """
        <bpmn:startEvent id="start" />
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
        """;

    private const string TaskToEnd = """
        <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
        <bpmn:endEvent id="end" />
        """;

    [Fact]
    public void ParentProcessHasAnExternalServiceTaskBetweenStartAndEnd()
    {
        var process = Assert.Single(BpmnParser.Parse(BpmnSamples.ParentCreateTasks).OrThrow());

        Assert.Equal("parent-process", process.Id);
        Assert.Equal("Parent process", process.Name);
        Assert.Equal(new StartEvent("StartEvent_1", "Case opened"), process.Start);
        Assert.Equal(3, process.Elements.Count);
        var task = Assert.IsType<ExternalTaskElement>(process.Elements["CreateTasks"]);
        Assert.Equal(ExternalTaskElementKind.ServiceTask, task.ElementKind);
        Assert.Equal("create-tasks", task.Topic);
        Assert.False(task.EndsToken);
        Assert.Equal("Create tasks", task.Name);
        Assert.IsType<EndEvent>(process.Elements["EndEvent_1"]);
        Assert.Equal([new SequenceFlow("Flow_0start", "StartEvent_1", "CreateTasks", null)], process.Outgoing("StartEvent_1"));
        Assert.Equal([new SequenceFlow("Flow_1end", "CreateTasks", "EndEvent_1", null)], process.Outgoing("CreateTasks"));
        Assert.Empty(process.Outgoing("EndEvent_1"));
    }

    [Fact]
    public void ChildProcessHasTwoUserTasksAndAnExternalMessageEndEvent()
    {
        var process = Assert.Single(BpmnParser.Parse(BpmnSamples.ChildTwoUserTasks).OrThrow());

        Assert.Equal("child-process", process.Id);
        Assert.Equal(new UserTaskElement("Review", "Review\ndocument", "reviewer", "reviewers", "2030-06-30T17:00:00Z"), process.Elements["Review"]);
        Assert.Equal(new UserTaskElement("Approve", "Approve", null, "approvers,managers", null), process.Elements["Approve"]);
        var end = Assert.IsType<ExternalTaskElement>(process.Elements["EndTask"]);
        Assert.Equal(ExternalTaskElementKind.MessageEndEvent, end.ElementKind);
        Assert.Equal("end-task", end.Topic);
        Assert.True(end.EndsToken);
        Assert.Equal("endEvent 'End task' (id EndTask)", end.Describe());
        Assert.Equal("Approve", Assert.Single(process.Outgoing("Review")).TargetId);
        Assert.Equal("EndTask", Assert.Single(process.Outgoing("Approve")).TargetId);
    }

    [Fact]
    public void ExclusiveGatewayKeepsConditionsInDocumentOrderAndItsDefaultFlow()
    {
        var process = Assert.Single(BpmnParser.Parse(BpmnSamples.ExclusiveGatewayWithDefault).OrThrow());

        var gateway = Assert.IsType<ExclusiveGateway>(process.Elements["Gateway_amount"]);
        Assert.Equal("Flow_default", gateway.DefaultFlowId);
        Assert.Equal(["Flow_big", "Flow_medium", "Flow_default"], process.Outgoing("Gateway_amount").Select(f => f.Id));
        Assert.Equal("${amount > 1000 && customer.tier == 'gold'}", process.Flows["Flow_big"].Condition);
        Assert.Equal("${amount > 100}", process.Flows["Flow_medium"].Condition);
        Assert.Null(process.Flows["Flow_default"].Condition);
        Assert.Null(Assert.IsType<ExclusiveGateway>(process.Elements["Gateway_merge"]).DefaultFlowId);
        Assert.Equal(3, process.Incoming("Gateway_merge").Count);
        Assert.False(process.Elements.ContainsKey("TextAnnotation_0rules"));
        Assert.False(process.Flows.ContainsKey("Association_0rules"));

        var variables = Variables("""{"amount":5000,"customer":{"tier":"gold"}}""");
        Assert.True(JuelExpression.Compile(process.Flows["Flow_big"].Condition!).EvaluateCondition(variables));
        Assert.False(JuelExpression.Compile(process.Flows["Flow_big"].Condition!).EvaluateCondition(Variables("""{"amount":5000,"customer":{"tier":"silver"}}""")));
    }

    [Fact]
    public void ParallelGatewaysForkAndJoinTwoUserTasks()
    {
        var process = Assert.Single(BpmnParser.Parse(BpmnSamples.ParallelForkJoin).OrThrow());

        Assert.Equal("parallel-fork-join", process.Id);
        Assert.IsType<ParallelGateway>(process.Elements["Gateway_fork"]);
        Assert.Equal(["CheckCredit", "CheckStock"], process.Outgoing("Gateway_fork").Select(f => f.TargetId));
        Assert.IsType<ParallelGateway>(process.Elements["Gateway_join"]);
        Assert.Equal(["Flow_3join", "Flow_4join"], process.Incoming("Gateway_join").Select(f => f.Id));
        Assert.Equal("finance", Assert.IsType<UserTaskElement>(process.Elements["CheckCredit"]).CandidateGroups);
        var notify = Assert.IsType<ExternalTaskElement>(process.Elements["NotifyCustomer"]);
        Assert.Equal(ExternalTaskElementKind.IntermediateThrowEvent, notify.ElementKind);
        Assert.Equal("notify-customer", notify.Topic);
        Assert.Equal("EndEvent_1", Assert.Single(process.Outgoing("NotifyCustomer")).TargetId);
    }

    [Fact]
    public void DefaultNamespaceWithoutPrefixIsRead()
    {
        const string xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
              <process id="plain" isExecutable="true">
                <startEvent id="s" />
                <sequenceFlow id="f" sourceRef="s" targetRef="e" />
                <endEvent id="e" camunda:type="external" camunda:topic="done">
                  <messageEventDefinition />
                </endEvent>
              </process>
            </definitions>
            """;

        var process = Assert.Single(BpmnParser.Parse(xml).OrThrow());

        Assert.Equal(new ExternalTaskElement("e", null, ExternalTaskElementKind.MessageEndEvent, "done"), process.Elements["e"]);
    }

    [Fact]
    public void EveryExecutableProcessIsReturnedAndOthersAreNotValidated()
    {
        var xml = Definitions($"""
            <bpmn:process id="first" isExecutable="true">{Minimal}</bpmn:process>
            <bpmn:process id="documentation-only" isExecutable="false">
              <bpmn:subProcess id="sub" />
            </bpmn:process>
            <bpmn:process id="second" isExecutable="true">{Minimal.Replace("\"s\"", "\"s2\"").Replace("\"e\"", "\"e2\"").Replace("\"f\"", "\"f2\"")}</bpmn:process>
            """);

        Assert.Equal(["first", "second"], BpmnParser.Parse(xml).OrThrow().Select(p => p.Id));
    }

    [Fact]
    public void ArtifactsLanesDataObjectsAndIgnorableCamundaAttributesAreAccepted()
    {
        var xml = Process("""
            <bpmn:documentation>doc</bpmn:documentation>
            <bpmn:extensionElements><camunda:properties><camunda:property name="a" value="b" /></camunda:properties></bpmn:extensionElements>
            <bpmn:laneSet id="ls"><bpmn:lane id="lane"><bpmn:flowNodeRef>start</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
            <bpmn:startEvent id="start" camunda:asyncAfter="true" camunda:formKey="start-form" />
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task">
              <bpmn:documentation>flow doc</bpmn:documentation>
            </bpmn:sequenceFlow>
            <bpmn:userTask id="task" camunda:asyncBefore="true" camunda:exclusive="false" camunda:priority="5" camunda:formKey="f">
              <bpmn:documentation>task doc</bpmn:documentation>
              <bpmn:extensionElements>
                <camunda:formData><camunda:formField id="ok" type="boolean" /></camunda:formData>
                <camunda:failedJobRetryTimeCycle>R3/PT1M</camunda:failedJobRetryTimeCycle>
              </bpmn:extensionElements>
              <bpmn:dataOutputAssociation id="doa"><bpmn:targetRef>dataRef</bpmn:targetRef></bpmn:dataOutputAssociation>
            </bpmn:userTask>
            <bpmn:dataObjectReference id="dataRef" dataObjectRef="data" />
            <bpmn:dataObject id="data" />
            <bpmn:dataStoreReference id="store" />
            <bpmn:textAnnotation id="note"><bpmn:text>hello</bpmn:text></bpmn:textAnnotation>
            <bpmn:association id="assoc" sourceRef="task" targetRef="note" />
            <bpmn:group id="grp" categoryValueRef="cv" />
            <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
            <bpmn:endEvent id="end" />
            """);

        var process = Assert.Single(BpmnParser.Parse(xml).OrThrow());

        Assert.Equal(["start", "task", "end"], process.Elements.Keys);
        Assert.Equal(["f1", "f2"], process.Flows.Keys);
    }

    [Fact]
    public void ExclusiveGatewayWithOneUnconditionalOutgoingFlowIsAMerge()
    {
        var xml = Process("""
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw" />
            <bpmn:exclusiveGateway id="gw" />
            <bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="end" />
            <bpmn:endEvent id="end" />
            """);

        Assert.Null(Assert.Single(BpmnParser.Parse(xml).OrThrow()).Flows["f2"].Condition);
    }

    [Fact]
    public void ConditionWhitespaceIsTrimmedAndHashExpressionsAreAccepted()
    {
        var xml = Gateway("""
            <bpmn:sequenceFlow id="yes" sourceRef="gw" targetRef="end">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="juel">
                #{approved}
              </bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            <bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="end" />
            """, defaultFlow: "no");

        Assert.Equal("#{approved}", Assert.Single(BpmnParser.Parse(xml).OrThrow()).Flows["yes"].Condition);
    }

    [Fact]
    public void MalformedXmlNamesLineAndPosition()
    {
        var xml = "<?xml version=\"1.0\"?>\n<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  <bpmn:process id=\"p\" isExecutable=\"true\">\n</bpmn:definitions>";

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Null(exception.ElementId);
        Assert.Contains("not well-formed XML at line 4", exception.Message, StringComparison.Ordinal);
        Assert.Contains("position", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DocumentTypeDeclarationsAreRejectedSoExternalEntitiesAreNeverRead()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "secret");
        try
        {
            var xml = $"""
                <?xml version="1.0"?>
                <!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file://{path}">]>
                <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="&xxe;" isExecutable="true" /></bpmn:definitions>
                """;

            var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

            Assert.Null(exception.ElementId);
            Assert.Contains("DTD", exception.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", exception.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FilesOverTheConfiguredSizeAreRejected()
    {
        var limits = new LimitsOptions();
        var xml = Process(StartToTask.Replace("task", "end") + "<bpmn:endEvent id=\"end\" />") + new string(' ', limits.MaxBpmnBytes);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml, limits));

        Assert.Null(exception.ElementId);
        Assert.Contains("MaxBpmnBytes", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HundredThousandNestedElementsAreRefusedInMilliseconds()
    {
        const int depth = 100_000;
        var nested = string.Concat(Enumerable.Repeat("<x>", depth)) + string.Concat(Enumerable.Repeat("</x>", depth));
        var xml = Process($"<bpmn:documentation>{nested}</bpmn:documentation>" + StartToTask.Replace("task", "end") + "<bpmn:endEvent id=\"end\" />");
        var limits = new LimitsOptions();

        var exception = Quickly.Runs(() => BpmnRefusal.Of(BpmnParser.Parse(xml, limits)), TimeSpan.FromMilliseconds(500), "refusing");

        Assert.Contains("MaxXmlDepth", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"deeper than {limits.MaxXmlDepth} levels", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MoreElementsThanTheLimitAreRefused()
    {
        var limits = new LimitsOptions { MaxXmlElements = 50 };
        var flat = string.Concat(Enumerable.Repeat("<bpmn:documentation>d</bpmn:documentation>", 60));
        var xml = Process(flat + StartToTask.Replace("task", "end") + "<bpmn:endEvent id=\"end\" />");

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml, limits));

        Assert.Contains("more than 50 elements", exception.Message, StringComparison.Ordinal);
        Assert.Contains("MaxXmlElements", exception.Message, StringComparison.Ordinal);
        Assert.Single(BpmnParser.Parse(xml, new LimitsOptions()).OrThrow());
    }

    [Fact]
    public void EmptyInputIsRejected()
    {
        var exception = BpmnRefusal.Of(BpmnParser.Parse("  "));

        Assert.Null(exception.ElementId);
        Assert.Contains("empty", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARootOtherThanBpmnDefinitionsIsRejected()
    {
        var exception = BpmnRefusal.Of(BpmnParser.Parse("<definitions><process id=\"p\" /></definitions>"));

        Assert.Null(exception.ElementId);
        Assert.Contains("not BPMN 2.0 XML", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CamundaEightFilesAreRejectedWithAHint()
    {
        var xml = BpmnSamples.ParentCreateTasks.Replace("modeler:executionPlatform=\"Camunda Platform\"", "modeler:executionPlatform=\"Camunda Cloud\"", StringComparison.Ordinal);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Contains("Camunda 8", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileWithoutExecutableProcessIsRejected()
    {
        var xml = BpmnSamples.ParentCreateTasks.Replace("isExecutable=\"true\"", "isExecutable=\"false\"", StringComparison.Ordinal);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Null(exception.ElementId);
        Assert.Contains("no executable process", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AProcessWithoutStartEventIsRejected()
    {
        var xml = Process("""
            <bpmn:userTask id="task" />
            <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
            <bpmn:endEvent id="end" />
            """);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("Process_1", exception.ElementId);
        Assert.Contains("no start event", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AProcessWithTwoStartEventsIsRejected()
    {
        var xml = Process(StartToTask + """
            <bpmn:startEvent id="Start_Second" />
            <bpmn:sequenceFlow id="f0" sourceRef="Start_Second" targetRef="task" />
            <bpmn:userTask id="task" />
            """ + TaskToEnd);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("Process_1", exception.ElementId);
        Assert.Contains("2 start events (start, Start_Second)", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sourceRef=\"Ghost_1\" targetRef=\"end\"", "sourceRef=\"Ghost_1\"")]
    [InlineData("sourceRef=\"start\" targetRef=\"Ghost_1\"", "targetRef=\"Ghost_1\"")]
    public void AFlowToOrFromAMissingElementIsRejected(string ends, string expected)
    {
        var xml = Process($"""
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
            <bpmn:sequenceFlow id="Flow_Broken" {ends} />
            <bpmn:endEvent id="end" />
            """);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("Flow_Broken", exception.ElementId);
        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
        Assert.Contains("no flow node with id 'Ghost_1'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateIdsAreRejected()
    {
        var xml = Process(StartToTask + "<bpmn:userTask id=\"task\" /><bpmn:serviceTask id=\"task\" camunda:type=\"external\" camunda:topic=\"t\" />" + TaskToEnd);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("task", exception.ElementId);
        Assert.Contains("used by both userTask (id task) and serviceTask (id task)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnElementWithoutOutgoingFlowIsRejected()
    {
        var xml = Process(StartToTask + "<bpmn:userTask id=\"Activity_0DeadEnd\" name=\"Dead end\" /><bpmn:userTask id=\"task\" />" + TaskToEnd);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("Activity_0DeadEnd", exception.ElementId);
        Assert.Equal("userTask 'Dead end' (id Activity_0DeadEnd) has no outgoing sequence flow; connect it to the next element or to an end event.", exception.Message);
    }

    [Fact]
    public void AnEndEventWithAnOutgoingFlowIsRejected()
    {
        var xml = Process(StartToTask + "<bpmn:userTask id=\"task\" />" + TaskToEnd + "<bpmn:sequenceFlow id=\"f3\" sourceRef=\"end\" targetRef=\"task\" />");

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("end", exception.ElementId);
        Assert.Contains("outgoing sequence flow (f3)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AStartEventWithAnIncomingFlowIsRejected()
    {
        var xml = Process(StartToTask + "<bpmn:userTask id=\"task\" />" + TaskToEnd + "<bpmn:sequenceFlow id=\"back\" sourceRef=\"task\" targetRef=\"start\" />");

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("start", exception.ElementId);
        Assert.Contains("incoming sequence flow (back)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOutgoingReferenceToAMissingFlowIsRejected()
    {
        var xml = Process(StartToTask + """
            <bpmn:userTask id="task">
              <bpmn:incoming>f1</bpmn:incoming>
              <bpmn:outgoing>Flow_Gone</bpmn:outgoing>
            </bpmn:userTask>
            """ + TaskToEnd);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("task", exception.ElementId);
        Assert.Contains("no sequenceFlow with id 'Flow_Gone'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("f1", "default=\"f1\", but that flow does not leave the gateway")]
    [InlineData("Flow_Missing", "no sequenceFlow with that id")]
    public void ADefaultFlowThatDoesNotLeaveTheGatewayOrDoesNotExistIsRejected(string defaultFlow, string reason)
    {
        var xml = Gateway("""
            <bpmn:sequenceFlow id="yes" sourceRef="gw" targetRef="end">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${ok}</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            """, defaultFlow);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("gw", exception.ElementId);
        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AConditionOnAFlowLeavingATaskIsRejected()
    {
        var xml = Process(StartToTask + """
            <bpmn:userTask id="task" />
            <bpmn:sequenceFlow id="Flow_Conditional" sourceRef="task" targetRef="end">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${ok}</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            <bpmn:endEvent id="end" />
            """);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("Flow_Conditional", exception.ElementId);
        Assert.Contains("a conditional flow leaving userTask (id task) is not supported by the embedded engine", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AConditionOnAFlowLeavingAParallelGatewayIsRejected()
    {
        var xml = Process("""
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
            <bpmn:parallelGateway id="fork" />
            <bpmn:sequenceFlow id="a" sourceRef="fork" targetRef="end" />
            <bpmn:sequenceFlow id="b" sourceRef="fork" targetRef="end">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${ok}</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            <bpmn:endEvent id="end" />
            """);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("b", exception.ElementId);
        Assert.Contains("parallelGateway (id fork) is not supported", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AConditionThatDoesNotCompileIsRejectedWithTheParseError()
    {
        var xml = Gateway("""
            <bpmn:sequenceFlow id="Flow_Bad" sourceRef="gw" targetRef="end">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${amount &gt; }</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            <bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="end" />
            """, defaultFlow: "no");

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("Flow_Bad", exception.ElementId);
        Assert.Contains("does not compile: Syntax error in expression ${amount > } at position 11: expected an operand, found '}'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("amount &gt; 100")]
    [InlineData("${a} ${b}")]
    public void AConditionThatIsNotOneExpressionIsRejected(string condition)
    {
        var xml = Gateway($"""
            <bpmn:sequenceFlow id="Flow_Text" sourceRef="gw" targetRef="end">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            <bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="end" />
            """, defaultFlow: "no");

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("Flow_Text", exception.ElementId);
        Assert.Contains("not one ${...} expression", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyConditionIsRejected()
    {
        var xml = Gateway("""
            <bpmn:sequenceFlow id="Flow_Empty" sourceRef="gw" targetRef="end">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" />
            </bpmn:sequenceFlow>
            <bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="end" />
            """, defaultFlow: "no");

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("Flow_Empty", exception.ElementId);
        Assert.Contains("empty condition", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AScriptConditionIsRejected()
    {
        var xml = Gateway("""
            <bpmn:sequenceFlow id="Flow_Script" sourceRef="gw" targetRef="end">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="javascript">amount &gt; 100</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            <bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="end" />
            """, defaultFlow: "no");

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("Flow_Script", exception.ElementId);
        Assert.Contains("a condition in language 'javascript' " + Supported, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AGatewayFlowWithoutConditionThatIsNotTheDefaultIsRejected()
    {
        var xml = Gateway("""
            <bpmn:sequenceFlow id="yes" sourceRef="gw" targetRef="end">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${ok}</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            <bpmn:sequenceFlow id="Flow_Unconditional" sourceRef="gw" targetRef="end" />
            """, defaultFlow: null);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("Flow_Unconditional", exception.ElementId);
        Assert.Contains("without a condition and is not its default flow", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADefaultFlowWithAConditionIsRejected()
    {
        var xml = Gateway("""
            <bpmn:sequenceFlow id="yes" sourceRef="gw" targetRef="end">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${ok}</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            <bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="end">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${!ok}</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            """, defaultFlow: "no");

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("no", exception.ElementId);
        Assert.Contains("is the default flow", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<bpmn:serviceTask id=\"task\" camunda:type=\"external\" camunda:topic=\"\" />")]
    [InlineData("<bpmn:serviceTask id=\"task\" camunda:type=\"external\" camunda:topic=\"  \" />")]
    [InlineData("<bpmn:serviceTask id=\"task\" camunda:type=\"external\" />")]
    [InlineData("<bpmn:intermediateThrowEvent id=\"task\"><bpmn:messageEventDefinition camunda:type=\"external\" /></bpmn:intermediateThrowEvent>")]
    public void AnExternalElementWithoutTopicIsRejected(string element)
    {
        var xml = Process(StartToTask + element + TaskToEnd);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("task", exception.ElementId);
        Assert.Contains("without a topic", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMessageEndEventWithoutTopicIsRejected()
    {
        var xml = Process("""
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="Event_End" />
            <bpmn:endEvent id="Event_End"><bpmn:messageEventDefinition id="m" camunda:type="external" camunda:topic="" /></bpmn:endEvent>
            """);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("Event_End", exception.ElementId);
        Assert.Contains("without a topic", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("subProcess", "<bpmn:subProcess id=\"Activity_X\" name=\"Sub\"><bpmn:startEvent id=\"inner\" /></bpmn:subProcess>")]
    [InlineData("scriptTask", "<bpmn:scriptTask id=\"Activity_X\" scriptFormat=\"groovy\"><bpmn:script>1</bpmn:script></bpmn:scriptTask>")]
    [InlineData("task", "<bpmn:task id=\"Activity_X\" />")]
    [InlineData("callActivity", "<bpmn:callActivity id=\"Activity_X\" calledElement=\"other\" />")]
    [InlineData("boundaryEvent", "<bpmn:boundaryEvent id=\"Activity_X\" attachedToRef=\"task\"><bpmn:timerEventDefinition /></bpmn:boundaryEvent>")]
    [InlineData("intermediateCatchEvent", "<bpmn:intermediateCatchEvent id=\"Activity_X\"><bpmn:timerEventDefinition /></bpmn:intermediateCatchEvent>")]
    [InlineData("inclusiveGateway", "<bpmn:inclusiveGateway id=\"Activity_X\" />")]
    [InlineData("eventBasedGateway", "<bpmn:eventBasedGateway id=\"Activity_X\" />")]
    [InlineData("complexGateway", "<bpmn:complexGateway id=\"Activity_X\" />")]
    [InlineData("sendTask", "<bpmn:sendTask id=\"Activity_X\" camunda:type=\"external\" camunda:topic=\"t\" />")]
    [InlineData("receiveTask", "<bpmn:receiveTask id=\"Activity_X\" />")]
    [InlineData("businessRuleTask", "<bpmn:businessRuleTask id=\"Activity_X\" camunda:decisionRef=\"d\" />")]
    [InlineData("manualTask", "<bpmn:manualTask id=\"Activity_X\" />")]
    [InlineData("transaction", "<bpmn:transaction id=\"Activity_X\" />")]
    public void UnsupportedElementKindsAreRejectedByIdAndKind(string kind, string element)
    {
        var xml = Process(StartToTask + "<bpmn:userTask id=\"task\" />" + TaskToEnd + element);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("Activity_X", exception.ElementId);
        Assert.Contains($": {kind} {Supported} startEvent (none)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("(id Activity_X)", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<bpmn:startEvent id=\"start\"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>", "start", "a startEvent with timerEventDefinition")]
    [InlineData("<bpmn:startEvent id=\"start\"><bpmn:messageEventDefinition messageRef=\"m\" /></bpmn:startEvent>", "start", "a startEvent with messageEventDefinition")]
    [InlineData("<bpmn:startEvent id=\"start\" /><bpmn:endEvent id=\"Term\"><bpmn:terminateEventDefinition /></bpmn:endEvent>", "Term", "an endEvent with terminateEventDefinition")]
    [InlineData("<bpmn:startEvent id=\"start\" /><bpmn:endEvent id=\"Err\"><bpmn:errorEventDefinition /></bpmn:endEvent>", "Err", "an endEvent with errorEventDefinition")]
    [InlineData("<bpmn:startEvent id=\"start\" /><bpmn:endEvent id=\"Msg\"><bpmn:messageEventDefinition /></bpmn:endEvent>", "Msg", "a message endEvent without camunda:type=\"external\"")]
    [InlineData("<bpmn:startEvent id=\"start\" /><bpmn:endEvent id=\"Msg\"><bpmn:messageEventDefinition camunda:class=\"a.B\" /></bpmn:endEvent>", "Msg", "a message endEvent with camunda:class")]
    [InlineData("<bpmn:startEvent id=\"start\" /><bpmn:intermediateThrowEvent id=\"None\" />", "None", "an intermediateThrowEvent without an event definition")]
    [InlineData("<bpmn:startEvent id=\"start\" /><bpmn:intermediateThrowEvent id=\"Sig\"><bpmn:signalEventDefinition /></bpmn:intermediateThrowEvent>", "Sig", "an intermediateThrowEvent with signalEventDefinition")]
    public void UnsupportedEventDefinitionsAreRejected(string elements, string id, string expected)
    {
        var xml = Process(elements);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal(id, exception.ElementId);
        Assert.Contains($"(id {id}): {expected}", exception.Message, StringComparison.Ordinal);
        Assert.Contains(Supported, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("camunda:class=\"com.example.Delegate\"", "a serviceTask with camunda:class")]
    [InlineData("camunda:delegateExpression=\"${delegate}\"", "a serviceTask with camunda:delegateExpression")]
    [InlineData("camunda:expression=\"${bean.run()}\"", "a serviceTask with camunda:expression")]
    [InlineData("", "a serviceTask without camunda:type=\"external\"")]
    [InlineData("camunda:type=\"other\" camunda:topic=\"t\"", "a serviceTask with camunda:type=\"other\"")]
    public void ServiceTasksThatAreNotExternalAreRejected(string attributes, string expected)
    {
        var xml = Process(StartToTask + $"<bpmn:serviceTask id=\"task\" name=\"Call\" {attributes} />" + TaskToEnd);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("task", exception.ElementId);
        Assert.StartsWith("serviceTask 'Call' (id task): ", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"{expected}", exception.Message, StringComparison.Ordinal);
        Assert.Contains(Supported, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<camunda:connector><camunda:connectorId>http-connector</camunda:connectorId></camunda:connector>", "camunda:connector")]
    [InlineData("<camunda:inputOutput><camunda:inputParameter name=\"x\">1</camunda:inputParameter></camunda:inputOutput>", "camunda:inputOutput (input/output variable mappings)")]
    [InlineData("<camunda:executionListener class=\"a.B\" event=\"start\" />", "camunda:executionListener")]
    public void BehaviouralExtensionsAreRejected(string extension, string expected)
    {
        var xml = Process(StartToTask + $"""
            <bpmn:serviceTask id="task" camunda:type="external" camunda:topic="t">
              <bpmn:extensionElements>{extension}</bpmn:extensionElements>
            </bpmn:serviceTask>
            """ + TaskToEnd);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("task", exception.ElementId);
        Assert.Contains($"{expected}", exception.Message, StringComparison.Ordinal);
        Assert.Contains(Supported, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiInstanceUserTasksAreRejected()
    {
        var xml = Process(StartToTask + """
            <bpmn:userTask id="task" camunda:assignee="${reviewer}">
              <bpmn:multiInstanceLoopCharacteristics camunda:collection="${reviewers}" camunda:elementVariable="reviewer" />
            </bpmn:userTask>
            """ + TaskToEnd);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("task", exception.ElementId);
        Assert.Contains("multiInstanceLoopCharacteristics (a loop) on a userTask " + Supported, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("camunda:candidateUsers=\"alice,bob\"", "camunda:candidateUsers")]
    [InlineData("", "<humanPerformer>")]
    public void UserTaskAssignmentsWeCannotHonourAreRejected(string attributes, string expected)
    {
        var child = attributes.Length == 0 ? "<bpmn:humanPerformer><bpmn:resourceAssignmentExpression><bpmn:formalExpression>kermit</bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:humanPerformer>" : string.Empty;
        var xml = Process(StartToTask + $"<bpmn:userTask id=\"task\" {attributes}>{child}</bpmn:userTask>" + TaskToEnd);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("task", exception.ElementId);
        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
        Assert.Contains(Supported, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AUserTaskAttributeExpressionThatDoesNotCompileIsRejected()
    {
        var xml = Process(StartToTask + "<bpmn:userTask id=\"task\" camunda:assignee=\"${owner.}\" />" + TaskToEnd);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("task", exception.ElementId);
        Assert.Contains("camunda:assignee of userTask (id task) does not compile", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADefaultFlowOnATaskIsRejected()
    {
        var xml = Process(StartToTask + "<bpmn:userTask id=\"task\" default=\"f2\" />" + TaskToEnd);

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Equal("task", exception.ElementId);
        Assert.Contains("a default flow on a userTask", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnElementWithoutIdIsRejected()
    {
        var xml = Process(StartToTask + "<bpmn:userTask id=\"task\" />" + TaskToEnd + "<bpmn:userTask name=\"Anonymous\" />");

        var exception = BpmnRefusal.Of(BpmnParser.Parse(xml));

        Assert.Null(exception.ElementId);
        Assert.Contains("A <userTask> at line", exception.Message, StringComparison.Ordinal);
        Assert.Contains("has no id", exception.Message, StringComparison.Ordinal);
    }

    private const string Minimal = """
        <bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" /><bpmn:endEvent id="e" />
        """;

    private static string Definitions(string content) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">
        {content}
        </bpmn:definitions>
        """;

    private static string Process(string body) => Definitions($"""
        <bpmn:process id="Process_1" isExecutable="true">
        {body}
        </bpmn:process>
        """);

    /// <summary>start -> exclusive gateway gw -> (the given flows) -> end.</summary>
    private static string Gateway(string flows, string? defaultFlow)
    {
        var defaultAttribute = defaultFlow is null ? string.Empty : $" default=\"{defaultFlow}\"";
        return Process($"""
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw" />
            <bpmn:exclusiveGateway id="gw"{defaultAttribute} />
            {flows}
            <bpmn:endEvent id="end" />
            """);
    }

    private static Dictionary<string, JsonElement> Variables(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
}
