// Build configuration the map (and its test suite) needs to know about.
//
// SWISS_ASAN is defined (as 1) when the translation unit is compiled with
// AddressSanitizer, by gcc (__SANITIZE_ADDRESS__) or clang
// (__has_feature(address_sanitizer)); undefined otherwise. The map poisons
// its empty slots under it (swiss/slot.h). It is the one ASan detection of
// the project: check/, props/ and fuzz/ test `#ifdef SWISS_ASAN` too, so a
// test's idea of "built with ASan" is the map's.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define SWISS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SWISS_ASAN 1
#endif
#endif
