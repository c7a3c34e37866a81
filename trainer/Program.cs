Console.WriteLine("CreditRisk trainer: not built yet.");
