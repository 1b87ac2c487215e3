"""The domain, pure: SOP steps and states, data checks, parsing, reference codes, calendar."""
