namespace ControlPlane.Simulator.Tests.Support;

/// Request bodies shaped like the ones Claude Code 2.1 sends to POST /v1/messages?beta=true.
internal static class ClaudeCodeRequests
{
    public const string Betas = "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,fine-grained-tool-streaming-2025-05-14";

    /// First turn: system blocks and tools with cache_control, adaptive thinking, context management, output config.
    public static string FirstTurn(string model = TestSimulator.AnthropicModel, bool stream = true) => $$"""
    {
      "model": "{{model}}",
      "messages": [
        { "role": "user", "content": [
          { "type": "text", "text": "<system-reminder>As you answer, use the context below.</system-reminder>" },
          { "type": "text", "text": "ping", "cache_control": { "type": "ephemeral" } }
        ] }
      ],
      "system": [
        { "type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude.", "cache_control": { "type": "ephemeral" } },
        { "type": "text", "text": "You are an interactive CLI tool that helps users with software engineering tasks.", "cache_control": { "type": "ephemeral", "ttl": "1h" } }
      ],
      "tools": [
        { "name": "Bash", "description": "Executes a bash command.",
          "input_schema": { "type": "object", "properties": { "command": { "type": "string" }, "description": { "type": "string" } },
                            "required": ["command"], "additionalProperties": false, "$schema": "http://json-schema.org/draft-07/schema#" } },
        { "name": "Read", "description": "Reads a file.",
          "input_schema": { "type": "object", "properties": { "file_path": { "type": "string" } }, "required": ["file_path"] },
          "cache_control": { "type": "ephemeral" } }
      ],
      "tool_choice": { "type": "auto" },
      "metadata": { "user_id": "user_0123456789abcdef_account__session_6f1c" },
      "max_tokens": 32000,
      "temperature": 1,
      "thinking": { "type": "adaptive" },
      "context_management": { "edits": [ { "type": "clear_thinking_20251015", "keep": "all" } ] },
      "output_config": { "effort": "high" },
      "service_tier": "auto",
      "stop_sequences": [],
      "stream": {{(stream ? "true" : "false")}}
    }
    """;

    /// A later turn: the assistant's thinking and tool_use, then the tool_result, with thinking enabled and a budget
    /// that only interleaved thinking allows (budget above max_tokens).
    public static string ToolResultTurn(string model = TestSimulator.AnthropicModel) => $$"""
    {
      "model": "{{model}}",
      "messages": [
        { "role": "user", "content": "list the files [[call:Bash {\"command\":\"ls\"}]]" },
        { "role": "assistant", "content": [
          { "type": "thinking", "thinking": "The user wants a listing.", "signature": "EqQBCkYIBxgCKkD0" },
          { "type": "text", "text": "Listing." },
          { "type": "tool_use", "id": "toolu_01A", "name": "Bash", "input": { "command": "ls" } }
        ] },
        { "role": "user", "content": [
          { "type": "tool_result", "tool_use_id": "toolu_01A", "content": [ { "type": "text", "text": "README.md\nsrc" } ], "is_error": false },
          { "type": "text", "text": "<system-reminder>Keep going.</system-reminder>", "cache_control": { "type": "ephemeral" } }
        ] }
      ],
      "system": [ { "type": "text", "text": "You are Claude Code.", "cache_control": { "type": "ephemeral" } } ],
      "tools": [ { "name": "Bash", "description": "Executes a bash command.", "input_schema": { "type": "object", "properties": { "command": { "type": "string" } } } } ],
      "max_tokens": 16000,
      "thinking": { "type": "enabled", "budget_tokens": 31999 },
      "metadata": { "user_id": "user_0123" },
      "stream": false
    }
    """;
}
