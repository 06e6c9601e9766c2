#include "faceage/parallel/launch_environment.h"

#include <charconv>
#include <cstdlib>

#include "faceage/core/error.h"

namespace faceage {
namespace {

int integer_variable(const char* name, int fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  const std::string value(text);
  int number = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (error != std::errc() || end != value.data() + value.size())
    fail("environment variable {}='{}' is not an integer", name, value);
  return number;
}

}  // namespace

LaunchEnvironment launch_environment_from_env() {
  LaunchEnvironment env;
  env.world_size = integer_variable("WORLD_SIZE", 1);
  if (env.world_size < 1) fail("environment variable WORLD_SIZE={} must be at least 1", env.world_size);
  env.rank = integer_variable("RANK", 0);
  if (env.rank < 0 || env.rank >= env.world_size)
    fail("environment variable RANK={} must be in [0, WORLD_SIZE={})", env.rank, env.world_size);
  env.local_rank = integer_variable("LOCAL_RANK", env.rank);
  env.local_world_size = integer_variable("LOCAL_WORLD_SIZE", env.world_size);
  if (env.local_world_size < 1 || env.local_rank < 0 || env.local_rank >= env.local_world_size)
    fail("environment variables LOCAL_RANK={} and LOCAL_WORLD_SIZE={} do not fit together",
         env.local_rank, env.local_world_size);
  if (const char* addr = std::getenv("MASTER_ADDR"); addr != nullptr && *addr != '\0')
    env.master_addr = addr;
  env.master_port = integer_variable("MASTER_PORT", env.master_port);
  if (env.master_port < 1 || env.master_port > 65535)
    fail("environment variable MASTER_PORT={} is not a TCP port", env.master_port);
  return env;
}

}  // namespace faceage
