# Pacta's UI strings — English. Every id exists in nl, fr, de and en
# (`pacta catalogue check-translations` lists any that is missing).

lang-name = English
choose-language = Choose your language
site-name = Pacta
skip-to-content = Skip to content
language-switcher = Language
main-navigation = Main navigation
breadcrumb = Breadcrumb
nav-home = Home
nav-catalogue = Service catalogue
nav-support = Support
nav-closures = Closure days
nav-print = Printable catalogue
catalogue-edition = Edition of

not-found-title = Page not found
not-found-text = There is no page at this address. The service may have been renamed or withdrawn, or the address may be mistyped.
not-found-back = Go to the service catalogue

intro-basic-offer = A basic offer
intro-personalised = A personalised approach
home-categories = Services by category
home-service-count = { $count ->
    [one] 1 service
   *[other] { $count } services
}
home-browse = Browse the whole catalogue

catalogue-title = Service catalogue
search-label = Search
search-button = Search
filter-category = Category
filter-model = Delivery model
filter-level = Service level
filter-all = All
filter-reset = Clear the filters
catalogue-count = { $count ->
    [one] 1 service found
   *[other] { $count } services found
}
catalogue-empty = No service matches your search. Try other words or clear the filters.
catalogue-results = Services

model-paas = PaaS (platform)
model-saas = SaaS (software)

fiche-code = Code
fiche-models = Delivery models
fiche-edition = Edition
fiche-print = Print this service sheet
fiche-retired = This service is retired: it is no longer offered, and remains readable for its current subscribers.
fiche-successor = It is replaced by
fiche-characteristics = Characteristics
fiche-responsibilities = Responsibilities
resp-activity = Activity
party-provider = Provider
party-partner = Partner
party-provider-when-agreed = Provider, when agreed
party-partner-unless-central-first-line = Partner (unless the central-helpdesk-as-first-line option)
fiche-packs = Packs
prices-excl-vat = All prices in euro, excluding VAT.
pack-included = Included
pack-prices = Price
pack-standard-level = Standard service level
price-pack = { $amount } { $period }
price-unit = { $amount } per { $unit } { $period }
period-month = per month
period-year = per year
period-one_off = one-off
fiche-options = Options
option-name = Option
option-applies = Applies to
option-all-packs = All packs
option-sla = Change to the SLA
option-raises = Raises the service level to { $level }
option-response = response within { $duration }
option-resolution = resolution within { $duration }
option-calendar = on { $calendar }
option-no-sla-change = No change to the SLA
right-central-first-line = Your users may call the central helpdesk directly (central helpdesk as first line)
fiche-levels = Service levels
level-target = Availability target
level-downtime = Allowed downtime per 30 days
level-hours = Support hours
level-notice = Maintenance announced
level-consent = Silence in a maintenance consultation
level-tacit-yes = counts as consent
level-tacit-no = does not count as consent: explicit agreement is needed
level-targets = Response and resolution targets
priority = Priority
target-response = Response
target-resolution = Resolution
target-hours = Hours the clock runs on
fiche-sla-notes = SLA notes
fiche-contact = Contact and escalation
fiche-spoc-intro = The service manager is your single point of contact (SPOC) for every question about this service.
contact-name = Name
contact-email = E-mail
contact-phone = Phone
fiche-escalation = Escalation path

calendar-24x7 = Around the clock (24/7)
calendar-be-working-hours = Working days 08:00–18:00 (Brussels time)

quote-title = Price a pack
quote-intro = Choose a pack, a service level, options and a quantity to see the service level you would get and what it would cost.
quote-pack = Pack
quote-level = Service level
quote-level-pack = The pack's standard level
quote-options = Options
quote-quantity = Quantity (units such as workstations or mailboxes)
quote-quantity-help = Prices per unit are multiplied by this number; prices per pack are not.
quote-button = Calculate
quote-result = Your estimate
quote-effective-level = Service level you get
quote-rights = Rights
quote-lines = Price lines
quote-line = Item
quote-detail = Quantity × unit price
quote-period = Period
quote-amount = Amount
total-month = Total per month
total-year = Total per year
total-one-off = One-off total
quote-not-subscription = This is an estimate, not a subscription: to subscribe, contact the service manager.
quote-error-quantity = Enter a whole number of at least 1 for the quantity.
quote-error-pack = Choose one of this service's packs.
quote-error-level = Choose one of the service levels this service offers.
quote-error-option = One of the chosen options does not apply to this pack, or was chosen twice.
quote-error-other = This combination cannot be priced.

support-title = General support
support-general = What every service includes
support-helpdesks = Helpdesks and hours
support-local = Local helpdesk (first line)
support-central = Central helpdesk (second line)
support-hours = Hours of the central helpdesk
support-hours-text = closed on public holidays and the published closure days.
support-closures-link = See the closure days.
support-on-call = On-call duty
support-people = Your contacts for a service
support-manager = Service manager (SPOC)
support-partner = Partner relationship management
support-escalation = Escalation path
support-contacts = ICT contacts
contact-central-helpdesk = Central helpdesk
contact-security-advisor = Security advisor
contact-partner-relationship = Partner relationship management
contact-ict-escalation = ICT escalation management
support-delivery = Service delivery and support
support-models = Delivery models
support-sla = Service level agreements
support-measured = The availability targets of 99.9%, 99.7% and 99.5% are measured as the availability of the service itself, around the clock, outside the maintenance windows you agreed to.
support-levels = Service levels and their allowed downtime
support-maintenance = Maintenance
support-monitoring = Monitoring
support-dashboard = Dashboard

closures-title = Closure days of the central helpdesk
closures-intro = On these days the central helpdesk is closed; only the on-call duty handles major incidents and urgent problems. Hours:
closures-ics = Subscribe to the closure days (iCalendar)
closures-none = No closure days are known for this year yet.
closures-date = Date
closures-day = Day
closures-name = Occasion
closures-weekend = weekend
closures-closed = Closed

print-toc = Contents
print-introduction = Introduction
print-hint = Use your browser's print command to print or save as PDF.

accessibility-title = Accessibility statement
accessibility-p1 = We want everyone to be able to use this site. It is designed to conform to the Web Content Accessibility Guidelines (WCAG) 2.1 at level AA, as required by the European standard EN 301 549 and the Belgian law of 19 July 2018 on the accessibility of public-sector websites.
accessibility-p2 = Status: we believe the site fully conforms. Every page is checked automatically with axe-core in a real browser before each release, and can be used with the keyboard alone and with a screen reader.
accessibility-p3 = The pages work without JavaScript; the printable catalogue and every service sheet can be printed or saved as PDF.
accessibility-p4 = If you meet a barrier, tell us: we answer within 10 working days. If our answer does not satisfy you, you may contact the federal Ombudsman.
privacy-title = Privacy notice
privacy-p1 = This public catalogue does not ask you to sign in and does not use tracking or analytics.
privacy-p2 = We store one cookie, "lang", which remembers the language you chose for one year. It is strictly necessary and holds no personal data.
privacy-p3 = Our servers keep technical logs (address, time and page requested) for at most 30 days, to keep the service secure, under the General Data Protection Regulation (GDPR), article 6.1.e.
privacy-p4 = You may ask to see, correct or erase data about you, and complain to the Data Protection Authority (www.dataprotectionauthority.be).
legal-title = Legal notice
legal-p1 = This site is published by the organisation named at the top of each page, a Belgian federal public service.
legal-p2 = The information in this catalogue is given for information purposes; an agreement with a partner only comes from an approved subscription.
legal-p3 = Prices are in euro, excluding VAT, and may change with a new edition of the catalogue.
legal-p4 = The texts of this catalogue may be reused with mention of the source.
notice-contact = Contact:

qty-access-points = Wi-Fi access points
qty-accounts = Accounts
qty-applications = Applications
qty-bandwidth-mbps = Bandwidth (Mbit/s)
qty-consultancy-days = Consultancy days
qty-environments = Environments
qty-fas-integrations = FAS integrations
qty-log-sources = Log sources
qty-mailboxes = Mailboxes
qty-mobile-devices = Mobile devices
qty-monitored-assets = Monitored assets
qty-monthly-visits = Visits per month
qty-protected-gb = Protected data (GB)
qty-ram-gb = Memory (GB)
qty-retention-days = Retention (days)
qty-scans-per-year = Scans per year
qty-shared-mailboxes = Shared mailboxes
qty-sites = Sites
qty-staging-environments = Staging environments
qty-steering-meetings = Steering meetings
qty-storage-gb = Storage (GB)
qty-switch-ports = Switch ports
qty-team-sites = Team sites
qty-users = Users
qty-vcpu = Virtual CPUs
qty-websites = Websites
qty-workstations = Workstations
