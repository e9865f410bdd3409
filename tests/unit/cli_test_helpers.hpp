#pragma once
// Shared by the CLI layer's unit tests.
#include "actor/cli.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace actor::clitest {

// Parses argv (without the program name) with a fresh app; returns the
// exit status parse() asked for, or -1 to go on.
inline int parse_args(actor::cli::CommonOptions& o, std::vector<std::string> args) {
    o.tool = "actor-test";
    CLI::App app;
    actor::cli::add_common_options(app, o);
    std::vector<const char*> argv{"actor-test"};
    for (auto& a : args) argv.push_back(a.c_str());
    auto status = actor::cli::parse(app, o, static_cast<int>(argv.size()), argv.data());
    return status ? *status : -1;
}

}  // namespace actor::clitest
