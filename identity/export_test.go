package identity

// SignatureFor exposes the signature of resource to the external tests.
func (a App) SignatureFor(resource string) string { return a.signature(resource) }
