//! Entra Connect Sync (placeholder until the connect work lands).
