#pragma once
// Exit statuses of every tool (docs/CLI.md), sysexits-style. One place.
namespace actor::exit_status {
inline constexpr int ok = 0;
inline constexpr int usage = 64;
inline constexpr int unavailable = 69;
inline constexpr int turn_lost = 70;        // EX_SOFTWARE slot: run-if-leader killed the job
inline constexpr int not_my_turn = 75;
inline constexpr int denied = 77;
inline constexpr int name_twin = 78;
inline constexpr int command_not_found = 127;
inline constexpr int timeout = 124;
inline constexpr int signal_base = 128;
}  // namespace actor::exit_status
