#include "faceage/core/error.h"
// Header-only today; this file gives the core stage a translation unit.
