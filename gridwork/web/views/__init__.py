"""The pages. Each view carries an access rule (gridwork.accounts.decorators) and reads through
`visible_to(user)`; anything outside the user's scope answers 404."""
