"""Name and place pools for synthetic data (common US names; any resemblance to a real member is chance)."""

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph "
    "Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Margaret "
    "Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa "
    "George Deborah Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy Jacob "
    "Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma Stephen Brenda Larry Pamela Justin Nicole Scott "
    "Anna Brandon Samantha Benjamin Katherine Samuel Christine Gregory Debra Alexander Rachel Patrick Carolyn Frank "
    "Janet Raymond Maria Jack Olivia Dennis Heather Jerry Helen Tyler Catherine Aaron Diane Jose Julie Adam Victoria "
    "Nathan Joyce Henry Lauren Zachary Kelly Douglas Christina Peter Ruth Kyle Joan Noah Virginia Ethan Judith "
    "Jeremy Evelyn Walter Hannah Christian Andrea Keith Megan Roger Cheryl Terry Jacqueline Austin Madison Sean "
    "Teresa Gerald Abigail Carl Sophia Harold Martha Dylan Sara Arthur Gloria Lawrence Janice Jordan Kathryn Jesse "
    "Ann Bryan Isabella Billy Judy Bruce Charlotte Gabriel Julia Joe Grace Logan Amber Alan Alice Juan Jean Albert "
    "Denise Willie Frances Elijah Danielle Wayne Marilyn Randy Natalie Vincent Beverly Mason Diana Roy Brittany "
    "Ralph Theresa Bobby Kayla Russell Alexis Bradley Doris Philip Lori Eugene Tiffany"
).split()

LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera "
    "Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim "
    "Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler "
    "Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds "
    "Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford "
    "Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman "
    "Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon "
    "Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice "
    "Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer "
    "Hawkins Arnold Pierce Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson "
    "Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Lindqvist"
).split()

CITIES = (
    ("Seattle", "WA", "981"), ("Tacoma", "WA", "984"), ("Bremerton", "WA", "983"), ("Port Angeles", "WA", "983"),
    ("Everett", "WA", "982"), ("Bellevue", "WA", "980"), ("Renton", "WA", "980"), ("Kent", "WA", "980"),
    ("Port Orchard", "WA", "983"), ("Silverdale", "WA", "983"), ("Sequim", "WA", "983"), ("Auburn", "WA", "980"),
)

STREETS = (
    "Main St", "Oak Ave", "Pine St", "Cedar Way", "Maple Dr", "Harbor Blvd", "Lake Rd", "Hill St", "Elm Ct",
    "Ridge Rd", "Sound View Dr", "Industrial Way", "Airport Way", "Marine Dr", "1st Ave", "4th Ave", "Rainier Ave",
)

EMPLOYER_WORDS = (
    "Acme Allied Apex Atlas Beacon Bayview Blue Summit Cascade Cedar Centennial Coastal Columbia Crown Delta "
    "Emerald Evergreen Frontier Galaxy Granite Harbor Highline Horizon Keystone Liberty Lighthouse Meridian "
    "Mountain Northstar Northwest Olympic Orca Pacific Peninsula Pinnacle Pioneer Puget Rainier Redwood Ridgeline "
    "Salish Sentinel Sierra Skyline Sound Summit Timberline Titan Trident Union Valley Vanguard Vista Western Whidbey"
).split()

EMPLOYER_SUFFIXES = (
    "Electric", "Electric Co", "Electrical Contractors", "Power Systems", "Signal & Communications", "Lighting",
    "Energy Services", "Controls", "Industrial Electric", "Electric Inc", "Technologies", "Marine Electric",
    "Low Voltage", "Fire & Security", "Solar", "Wiring Services", "Electrical Services LLC",
)

REGIONS = ("Seattle", "Bremerton", "Port Angeles")
