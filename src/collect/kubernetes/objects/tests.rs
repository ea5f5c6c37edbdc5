//! Unit tests of add_object, one kind at a time, with objects as the API serves them.
