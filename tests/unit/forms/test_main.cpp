// The single Boost.Test module of libow_forms; the suites live in the other test_*.cpp files.
#define BOOST_TEST_MODULE forms
#include <boost/test/unit_test.hpp>
