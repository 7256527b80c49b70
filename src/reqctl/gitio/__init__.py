"""The only git access: repository discovery, identity, refs, trees and commits."""
