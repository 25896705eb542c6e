"""The shop's web page: static files, plus `/config.js` telling the page where the api is."""
