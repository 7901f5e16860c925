using System.Text.Json;
using ControlPlane.Simulator.Providers.Validation;

namespace ControlPlane.Simulator.Tests.Providers.Validation;

public sealed class GeminiRequestValidatorTests
{
    private const string User = """{"role":"user","parts":[{"text":"hi"}]}""";

    private static RequestProblem? Validate(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return GeminiRequestValidator.Instance.Validate(doc.RootElement, ValidationContext.Default);
    }

    private static string Body(string contents = User, string extra = "") => $$"""{"contents":[{{contents}}]{{extra}}}""";

    [Theory]
    [InlineData(",\"temperature\":0.5", "", "Invalid JSON payload received. Unknown name \"temperature\": Cannot find field.")]
    [InlineData(",\"generationConfig\":{\"thinking_level\":\"high\"}", "generation_config", "Invalid JSON payload received. Unknown name \"thinking_level\" at 'generation_config': Cannot find field.")]
    [InlineData(",\"generationConfig\":{\"thinkingConfig\":{\"effort\":\"high\"}}", "generation_config.thinking_config", "Invalid JSON payload received. Unknown name \"effort\" at 'generation_config.thinking_config': Cannot find field.")]
    [InlineData(",\"tools\":[{\"functionDeclarations\":[{\"name\":\"a\",\"input_schema\":{}}]}]", "tools[0].function_declarations[0]", "Invalid JSON payload received. Unknown name \"input_schema\" at 'tools[0].function_declarations[0]': Cannot find field.")]
    [InlineData(",\"tools\":[{\"type\":\"function\"}]", "tools[0]", "Invalid JSON payload received. Unknown name \"type\" at 'tools[0]': Cannot find field.")]
    [InlineData(",\"toolConfig\":{\"functionCallingConfig\":{\"mode\":\"ANY\",\"tools\":[]}}", "tool_config.function_calling_config", "Invalid JSON payload received. Unknown name \"tools\" at 'tool_config.function_calling_config': Cannot find field.")]
    [InlineData(",\"systemInstruction\":{\"parts\":[{\"type\":\"text\",\"text\":\"x\"}]}", "system_instruction.parts[0]", "Invalid JSON payload received. Unknown name \"type\" at 'system_instruction.parts[0]': Cannot find field.")]
    public void Validate_UnknownField_RejectsWithPathAndBadRequestDetail(string extra, string field, string message)
    {
        var problem = Validate(Body(extra: extra));

        Assert.Equal(message, problem?.Message);
        var violation = problem!.Details![0]!;
        Assert.Equal("type.googleapis.com/google.rpc.BadRequest", (string)violation["@type"]!);
        Assert.Equal(field, (string)violation["fieldViolations"]![0]!["field"]!);
        Assert.Equal(message, (string)violation["fieldViolations"]![0]!["description"]!);
    }

    [Fact]
    public void Validate_UnknownFieldsInParts_ReportsEveryOneWithItsPath()
    {
        var problem = Validate(Body("""{"role":"user","parts":[{"text":"a","type":"text"}]},{"role":"model","content":"b","parts":[{"text":"c"}]}"""));

        Assert.Equal(
            "Invalid JSON payload received. Unknown name \"type\" at 'contents[0].parts[0]': Cannot find field.\n"
            + "Invalid JSON payload received. Unknown name \"content\" at 'contents[1]': Cannot find field.",
            problem?.Message);
        Assert.Equal(2, problem!.Details![0]!["fieldViolations"]!.AsArray().Count);
    }

    [Fact]
    public void Validate_PartWithTwoDataFields_RejectsTheOneof() =>
        Assert.Equal(
            "Invalid JSON payload received. Invalid value at 'contents[0].parts[0]' (oneof), oneof field 'data' is already set. Cannot set 'functionCall'",
            Validate(Body("""{"role":"model","parts":[{"text":"x","functionCall":{"name":"a","args":{}}}]}"""))?.Message);

    [Theory]
    [InlineData("{}", "* GenerateContentRequest.contents: contents is not specified\n")]
    [InlineData("{\"contents\":[]}", "* GenerateContentRequest.contents: contents is not specified\n")]
    [InlineData("{\"contents\":[{\"role\":\"user\",\"parts\":[]}]}", "* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.\n")]
    [InlineData("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"thought\":true}]}]}", "* GenerateContentRequest.contents[0].parts[0].data: required oneof field 'data' must have one initialized field\n")]
    [InlineData("{\"contents\":[{\"role\":\"user\",\"parts\":[]},{\"role\":\"user\",\"parts\":[{\"text\":\"a\"},{}]}]}",
        "* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.\n* GenerateContentRequest.contents[1].parts[1].data: required oneof field 'data' must have one initialized field\n")]
    [InlineData("{\"contents\":[" + User + ",{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"args\":{}}}]}]}", "* GenerateContentRequest.contents[1].parts[0].function_call.name: Name cannot be empty.\n")]
    [InlineData("{\"contents\":[" + User + "],\"tools\":[{\"functionDeclarations\":[{\"description\":\"x\"}]}]}", "* GenerateContentRequest.tools[0].function_declarations[0].name: Name cannot be empty.\n")]
    [InlineData("{\"contents\":[" + User + "],\"tools\":[{\"functionDeclarations\":[{\"name\":\"a\",\"parameters\":{},\"parametersJsonSchema\":{}}]}]}", "* GenerateContentRequest.tools[0].function_declarations[0].parameters: parameters and parameters_json_schema cannot both be set.\n")]
    [InlineData("{\"contents\":[" + User + "],\"generationConfig\":{\"responseSchema\":{},\"responseJsonSchema\":{}}}", "* GenerateContentRequest.generation_config.response_schema: response_schema and response_json_schema cannot both be set.\n")]
    public void Validate_RequestProblems_ListsEveryLineAsGoogleDoes(string json, string message)
    {
        var problem = Validate(json);

        Assert.Equal(message, problem?.Message);
        Assert.Null(problem!.Details);
    }

    [Theory]
    [InlineData("{\"name\":\"\",\"response\":{}}", "name: Name cannot be empty.")]
    [InlineData("{\"name\":\"a\",\"response\":\"done\"}", "response: response must be a JSON object.")]
    public void Validate_BadFunctionResponse_Rejects(string functionResponse, string tail) =>
        Assert.Equal(
            $"* GenerateContentRequest.contents[2].parts[0].function_response.{tail}\n",
            Validate(Body(User + """,{"role":"model","parts":[{"functionCall":{"name":"a","args":{}}}]},{"role":"user","parts":[{"functionResponse":""" + functionResponse + "}]}"))?.Message);

    [Theory]
    [InlineData("""{"role":"assistant","parts":[{"text":"x"}]}""", "Please use a valid role: user, model.")]
    [InlineData("""{"role":"model","parts":[{"functionCall":{"name":"a"}}]}""", "Please ensure that function call turn comes immediately after a user turn or after a function response turn.")]
    [InlineData(User + """,{"role":"user","parts":[{"functionResponse":{"name":"a","response":{}}}]}""", "Please ensure that function response turn comes immediately after a function call turn.")]
    [InlineData(User + """,{"role":"model","parts":[{"functionCall":{"name":"a"}},{"functionCall":{"name":"b"}}]},{"role":"user","parts":[{"functionResponse":{"name":"a","response":{}}}]}""",
        "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.")]
    public void Validate_BadTurns_RejectsWithGooglesMessage(string contents, string message) =>
        Assert.Equal(message, Validate(Body(contents))?.Message);

    [Fact]
    public void Validate_FunctionCallingLoopInSnakeCase_Accepted() =>
        Assert.Null(Validate("""
            {
              "system_instruction": { "parts": [ { "text": "be brief" } ] },
              "contents": [
                { "role": "user", "parts": [ { "text": "list files" } ] },
                { "role": "model", "parts": [ { "text": "thinking", "thought": true }, { "function_call": { "name": "Bash", "args": { "command": "ls" } }, "thought_signature": "c2ln" } ] },
                { "role": "user", "parts": [ { "function_response": { "name": "Bash", "response": { "output": "a.txt" } } } ] }
              ],
              "tools": [ { "function_declarations": [ { "name": "Bash", "parameters_json_schema": { "type": "object", "additionalProperties": false } } ] } ],
              "tool_config": { "function_calling_config": { "mode": "AUTO" } },
              "generation_config": { "max_output_tokens": 64, "thinking_config": { "thinking_budget": 0, "include_thoughts": false }, "response_mime_type": "text/plain" },
              "safety_settings": [ { "category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE" } ]
            }
            """));

    [Fact]
    public void Validate_CamelCaseWithSchemasAndFileParts_Accepted() =>
        Assert.Null(Validate("""
            {
              "contents": [ { "parts": [ { "text": "describe" }, { "inlineData": { "mimeType": "image/png", "data": "AAAA" } }, { "fileData": { "mimeType": "application/pdf", "fileUri": "https://x/y" } } ] } ],
              "tools": [ { "functionDeclarations": [ { "name": "Read", "parameters": { "type": "OBJECT", "properties": { "path": { "type": "STRING" } } } } ] }, { "googleSearch": {} } ],
              "generationConfig": { "maxOutputTokens": 64, "responseMimeType": "application/json", "responseJsonSchema": { "type": "object", "$defs": {} }, "thinkingConfig": { "thinkingLevel": "low" } }
            }
            """));
}
