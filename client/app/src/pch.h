// Precompiled header of the GUI: wx is large and changes never.
#pragma once
#include <wx/listctrl.h>
#include <wx/simplebook.h>
#include <wx/wx.h>
