#pragma once
// Rendering events as the JSON lines of docs/CLI.md, and values as JSON.
#include "actor/event.hpp"

#include <chrono>
#include <string>

namespace actor {

// A msgpack value as JSON. bin is rendered as {"$bin": "<base64>"}; every
// other type maps one to one (NaN/inf, which JSON lacks, become null).
nlohmann::json value_to_json(const Value& v);
// The inverse for --value and --control: {"$bin": "..."} becomes bin.
Value value_from_json(const nlohmann::json& j);

// RFC 3339 UTC with milliseconds: 2026-11-24T21:03:04.123Z
std::string format_time(std::chrono::system_clock::time_point t);

nlohmann::json event_to_json(const Event& e, const std::string& group,
                             std::chrono::system_clock::time_point when);
// One line, no trailing newline.
std::string event_to_line(const Event& e, const std::string& group,
                          std::chrono::system_clock::time_point when);
// Human-readable one-liner for --format text.
std::string event_to_text(const Event& e, std::chrono::system_clock::time_point when);

}  // namespace actor
