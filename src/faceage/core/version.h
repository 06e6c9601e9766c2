#pragma once
namespace faceage {
inline constexpr const char* kVersion = "0.1.0";
}
